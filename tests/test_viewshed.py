"""Tests of coverage.radial.viewshed against the exact R3 line of sight (viewshed.exact_line_of_sight)."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from affine import Affine
from hypothesis import HealthCheck, given, settings, strategies as st

from coverage.errors import CoverageWarning, TerrainError
from coverage.radial.plan import radial_plan
from coverage.radial.viewshed import (
    NODATA,
    exact_line_of_sight,
    viewshed,
    viewsheds,
)
from coverage.settings import EARTH_RADIUS_M
from coverage.terrain import Terrain

CELL_M = 30.0
UTM48N = "EPSG:32648"


# --------------------------------------------------------------------------- reference


@numba.njit(cache=True, parallel=True)
def r3_viewshed(elevation, row0, col0, observer_z, rx_height, curvature, radius_cells):
    """R3 over every cell within ``radius_cells``; 255 elsewhere."""
    rows, cols = elevation.shape
    out = np.full((rows, cols), 255, np.uint8)
    for row in numba.prange(rows):
        for col in range(cols):
            if (row - row0) ** 2 + (col - col0) ** 2 <= radius_cells * radius_cells:
                out[row, col] = exact_line_of_sight(
                    elevation, row0, col0, observer_z, row, col, rx_height, curvature
                )
    return out


def curvature_per_cell2(k_factor: float = 4.0 / 3.0, cell_m: float = CELL_M) -> float:
    """Earth-bulge coefficient in metres per cell^2: cell^2 / (2 k R)."""
    return cell_m**2 / (2.0 * k_factor * EARTH_RADIUS_M)


def rough_terrain(size: int, seed: int, *, relief_m: float, beta: float = 3.2) -> np.ndarray:
    """Fractal (spectral-synthesis) mountains: power spectrum ~ f^-beta, float32 metres."""
    rng = np.random.default_rng(seed)
    freq = np.hypot(np.fft.fftfreq(size)[:, None], np.fft.fftfreq(size)[None, :])
    freq[0, 0] = 1.0
    spectrum = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) * freq ** (
        -beta / 2
    )
    spectrum[0, 0] = 0.0
    surface = np.fft.ifft2(spectrum).real
    surface = (surface - surface.min()) / (surface.max() - surface.min()) * relief_m
    return surface.astype(np.float32)


def make_terrain(elevation: np.ndarray, cell_m: float = CELL_M) -> Terrain:
    rows = elevation.shape[0]
    return Terrain.from_array(
        elevation, transform=Affine(cell_m, 0, 0, 0, -cell_m, rows * cell_m), crs=UTM48N
    )


def site_xy(terrain: Terrain, row, col) -> tuple[np.ndarray, np.ndarray]:
    x, y = terrain.xy(np.asarray(row), np.asarray(col))
    return np.atleast_1d(x), np.atleast_1d(y)


# ------------------------------------------------------------------ reference sanity


def test_r3_reference_sees_over_a_low_wall_and_not_over_a_high_one():
    elevation = np.zeros((5, 11), dtype=np.float32)
    elevation[:, 5] = 20.0
    assert (
        exact_line_of_sight(elevation, 2, 0, 30.0, 2, 10, 30.0, 0.0) == 1
    )  # 30 m over a 20 m wall
    assert exact_line_of_sight(elevation, 2, 0, 10.0, 2, 10, 10.0, 0.0) == 0
    # a diagonal sight line samples row and column lines, interpolating between cells
    assert exact_line_of_sight(elevation, 0, 0, 10.0, 4, 10, 10.0, 0.0) == 0


def test_r3_reference_flat_earth_horizon():
    """On a smooth sphere the R3 horizon is sqrt(2kRh1) + sqrt(2kRh2) (to within a cell)."""
    cell_m, k, h1, h2 = 200.0, 4.0 / 3.0, 30.0, 1.5
    horizon_m = math.sqrt(2 * k * EARTH_RADIUS_M * h1) + math.sqrt(2 * k * EARTH_RADIUS_M * h2)
    n = int(horizon_m / cell_m) + 20
    elevation = np.zeros((3, n), dtype=np.float32)
    curvature = curvature_per_cell2(k, cell_m)
    visible = [
        exact_line_of_sight(elevation, 1, 0, h1, 1, col, h2, curvature) for col in range(1, n)
    ]
    last_visible_m = (np.flatnonzero(visible).max() + 1) * cell_m
    assert abs(last_visible_m - horizon_m) <= cell_m


# ------------------------------------------------------------------ accuracy vs R3


@pytest.mark.parametrize("beta", [3.0, 3.5])
def test_agrees_with_exact_r3_on_rough_terrain(beta):
    """>= 99.7 % of cells agree with R3 on fractal mountains (relief ~650 m over 9 km)."""
    size, radius_cells = 321, 140
    elevation = rough_terrain(size, seed=7, relief_m=650.0, beta=beta)
    terrain = make_terrain(elevation)
    rng = np.random.default_rng(3)
    rows, cols = rng.integers(145, 176, 4), rng.integers(145, 176, 4)
    xs, ys = site_xy(terrain, rows, cols)
    ours = viewsheds(terrain, xs, ys, tx_height_m=30.0, rx_height_m=1.5, radius_m=140 * CELL_M)
    curvature = curvature_per_cell2()
    agreements = []
    for i in range(4):
        z0 = float(elevation[rows[i], cols[i]]) + 30.0
        ref = r3_viewshed(elevation, rows[i], cols[i], z0, 1.5, curvature, float(radius_cells))
        inside = ref != 255
        np.testing.assert_array_equal(ours[i] == NODATA, ~inside)
        agreements.append(float((ours[i][inside] == ref[inside]).mean()))
    assert np.mean(agreements) >= 0.997, agreements
    assert min(agreements) >= 0.995, agreements
    # a non-trivial test: terrain hides a good share of the disc
    assert 0.05 < (ours == 1).sum() / (ours != NODATA).sum() < 0.95


def test_ridge_hides_what_is_behind_it():
    elevation = np.zeros((41, 41), dtype=np.float32)
    elevation[:, 25] = 100.0
    terrain = make_terrain(elevation)
    x, y = site_xy(terrain, 20, 20)
    vis = viewshed(terrain, x[0], y[0], tx_height_m=10.0, radius_m=18 * CELL_M)
    assert vis[20, 20] == 1 and vis[20, 24] == 1 and vis[20, 25] == 1
    assert (vis[:, 26:][vis[:, 26:] != NODATA] == 0).all()
    assert (vis[:, :25][vis[:, :25] != NODATA] == 1).all()
    assert vis[0, 0] == NODATA  # outside the radius


# ------------------------------------------------------------------ properties

terrain_seeds = st.integers(0, 2**31 - 1)
reliefs = st.floats(0.0, 400.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=terrain_seeds, relief=reliefs, height=st.floats(1.0, 60.0))
def test_symmetry(seed, relief, height):
    """A sees B iff B sees A at equal heights: exactly for R3, within tolerance for ours."""
    size = 49
    elevation = rough_terrain(size, seed, relief_m=relief)
    terrain = make_terrain(elevation)
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(4, size - 4, 12), rng.integers(4, size - 4, 12)
    xs, ys = site_xy(terrain, rows, cols)
    radius_cells = 2 * size
    with pytest.warns(CoverageWarning, match="reaches past the edge"):
        ours = viewsheds(
            terrain, xs, ys, tx_height_m=height, rx_height_m=height, radius_m=radius_cells * CELL_M
        )
    curvature = curvature_per_cell2()
    mismatched = pairs = 0
    for a in range(12):
        for b in range(a + 1, 12):
            za = float(elevation[rows[a], cols[a]]) + height
            zb = float(elevation[rows[b], cols[b]]) + height
            ab = exact_line_of_sight(
                elevation, rows[a], cols[a], za, rows[b], cols[b], height, curvature
            )
            ba = exact_line_of_sight(
                elevation, rows[b], cols[b], zb, rows[a], cols[a], height, curvature
            )
            assert ab == ba
            pairs += 1
            mismatched += ours[a, rows[b], cols[b]] != ours[b, rows[a], cols[a]]
    assert mismatched <= max(1, 0.05 * pairs)


@settings(max_examples=25, deadline=None)
@given(
    seed=terrain_seeds,
    relief=reliefs,
    low=st.floats(0.0, 50.0),
    raise_by=st.floats(0.01, 100.0),
)
def test_raising_the_antenna_never_hides_a_cell(seed, relief, low, raise_by):
    elevation = rough_terrain(41, seed, relief_m=relief)
    terrain = make_terrain(elevation)
    x, y = site_xy(terrain, 20, 20)
    common = {"rx_height_m": 1.5, "radius_m": 20 * CELL_M}
    before = viewshed(terrain, x[0], y[0], tx_height_m=low, **common)
    after = viewshed(terrain, x[0], y[0], tx_height_m=low + raise_by, **common)
    assert not ((before == 1) & (after == 0)).any()
    assert ((before == NODATA) == (after == NODATA)).all()


@settings(max_examples=25, deadline=None)
@given(seed=terrain_seeds, relief=reliefs, k_low=st.floats(0.3, 3.0), k_up=st.floats(1.0, 10.0))
def test_larger_k_never_hides_a_cell(seed, relief, k_low, k_up):
    elevation = rough_terrain(41, seed, relief_m=relief)
    terrain = make_terrain(elevation, cell_m=400.0)  # long paths: curvature matters
    x, y = site_xy(terrain, 20, 20)
    common = {"tx_height_m": 30.0, "rx_height_m": 1.5, "radius_m": 20 * 400.0}
    before = viewshed(terrain, x[0], y[0], k_factor=k_low, **common)
    after = viewshed(terrain, x[0], y[0], k_factor=k_low * k_up, **common)
    assert not ((before == 1) & (after == 0)).any()


@settings(max_examples=20, deadline=None)
@given(h1=st.floats(5.0, 100.0), h2=st.floats(0.5, 20.0), k=st.floats(0.5, 4.0))
def test_flat_earth_radio_horizon(h1, h2, k):
    """Smooth sphere: visible within sqrt(2kRh1)+sqrt(2kRh2), hidden beyond (one-cell margin)."""
    horizon_m = math.sqrt(2 * k * EARTH_RADIUS_M * h1) + math.sqrt(2 * k * EARTH_RADIUS_M * h2)
    cell_m = horizon_m / 40.0
    terrain = make_terrain(np.zeros((121, 121), dtype=np.float32), cell_m=cell_m)
    x, y = site_xy(terrain, 60, 60)
    vis = viewshed(terrain, x[0], y[0], tx_height_m=h1, rx_height_m=h2, radius_m=60 * cell_m,
                   k_factor=k)  # fmt: skip
    drow, dcol = np.mgrid[-60:61, -60:61]
    dist_m = np.hypot(drow, dcol) * cell_m
    inside = vis != NODATA
    assert (vis[inside & (dist_m < horizon_m - cell_m)] == 1).all()
    assert (vis[inside & (dist_m > horizon_m + cell_m)] == 0).all()


# ------------------------------------------------------------------ plan and API


def test_plan_assigns_every_disc_cell_once():
    plan = radial_plan(25.0, oversample=2.0)
    cells = set(zip(plan.cell_drow.tolist(), plan.cell_dcol.tolist(), strict=True))
    expected = {(r, c) for r in range(-25, 26) for c in range(-25, 26) if 0 < r * r + c * c <= 625}
    assert cells == expected and len(cells) == len(plan.cell_drow)
    assert plan.n_rays == math.ceil(2 * math.pi * 25 * 2)
    # the samples looked up lie before the cell, at most 1.5 steps short of it
    step_len = 1 / np.maximum(np.abs(plan.ray_dx), np.abs(plan.ray_dy))
    rays = np.repeat(np.arange(plan.n_rays), np.diff(plan.wedge_start))
    sample_dist = plan.cell_step_a * step_len[rays]
    assert (sample_dist < plan.cell_distance).all()
    assert (sample_dist >= plan.cell_distance - 1.5 * step_len[rays] - 1e-9).all()


@pytest.mark.parametrize("radius", [24.0, 25.0])  # an even and an odd number of rays
def test_plan_near_cells_use_even_rays_and_far_cells_neighbours(radius):
    plan = radial_plan(radius, oversample=2.0)
    n = plan.n_rays
    assert n % 2 == (0 if radius == 24.0 else 1)
    ray_a = np.repeat(np.arange(n), np.diff(plan.wedge_start))
    dist = plan.cell_distance
    near = dist < plan.inner_radius_cells
    assert plan.inner_radius_cells == radius / 2 and near.any() and (~near).any()
    assert (ray_a[near] % 2 == 0).all()
    span = np.where(near & (ray_a + 1 < n), 2, 1)
    ray_b = (ray_a + span) % n
    # the cell's azimuth lies between its rays, at the given weight
    azimuth = np.arctan2(plan.cell_drow, plan.cell_dcol) % (2 * np.pi) / (2 * np.pi) * n
    np.testing.assert_allclose(azimuth, ray_a + span * plan.cell_weight_b, atol=1e-4)
    # on ray b too, the sample looked up lies before the cell, at most 1.5 steps short
    step_len = 1 / np.maximum(np.abs(plan.ray_dx), np.abs(plan.ray_dy))
    sample_dist = plan.cell_step_b * step_len[ray_b]
    assert (sample_dist < dist).all()
    assert (sample_dist >= dist - 1.5 * step_len[ray_b] - 1e-9).all()


def test_batch_equals_single_calls():
    elevation = rough_terrain(81, 5, relief_m=300.0)
    terrain = make_terrain(elevation)
    xs, ys = site_xy(terrain, [30, 40, 50], [35, 45, 40])
    batch = viewsheds(terrain, xs, ys, tx_height_m=[10.0, 20.0, 30.0], radius_m=25 * CELL_M)
    for i, height in enumerate([10.0, 20.0, 30.0]):
        single = viewshed(terrain, xs[i], ys[i], tx_height_m=height, radius_m=25 * CELL_M)
        np.testing.assert_array_equal(batch[i], single)
    assert batch.dtype == np.uint8 and batch.shape == (3, 81, 81)


def test_site_outside_the_dem_is_named():
    terrain = make_terrain(np.zeros((20, 20), dtype=np.float32))
    with pytest.raises(TerrainError, match=r"site 1 at x=900\.0, y=300\.0 .* outside the terrain"):
        viewsheds(terrain, [300.0, 900.0], [300.0, 300.0], tx_height_m=10, radius_m=90)


def test_site_on_a_void_is_named():
    elevation = np.zeros((20, 20), dtype=np.float32)
    elevation[10, 10] = np.nan
    terrain = make_terrain(elevation)
    x, y = site_xy(terrain, 10, 10)
    with pytest.raises(TerrainError, match="site 0 .* void"):
        viewshed(terrain, x[0], y[0], tx_height_m=10, radius_m=90)


def test_nan_heights_within_the_radius_raise():
    elevation = np.zeros((30, 30), dtype=np.float32)
    elevation[12, 14] = np.nan
    terrain = make_terrain(elevation)
    x, y = site_xy(terrain, 15, 15)
    with pytest.raises(TerrainError, match="1 void .* within the radius"):
        viewshed(terrain, x[0], y[0], tx_height_m=10, radius_m=5 * CELL_M)
    # a void outside the radius is fine
    far = viewshed(terrain, x[0], y[0], tx_height_m=10, radius_m=2 * CELL_M)
    assert (far == 1).sum() == 13


def test_radius_past_the_dem_edge_warns_and_leaves_no_wrong_numbers():
    terrain = make_terrain(np.zeros((30, 30), dtype=np.float32))
    x, y = site_xy(terrain, 2, 2)
    with pytest.warns(CoverageWarning, match="reaches past the edge of the terrain"):
        vis = viewshed(terrain, x[0], y[0], tx_height_m=10, radius_m=10 * CELL_M)
    assert vis.shape == (30, 30)
    drow, dcol = np.mgrid[0:30, 0:30]
    within = (drow - 2) ** 2 + (dcol - 2) ** 2 <= 100
    assert (vis[within] == 1).all() and (vis[~within] == NODATA).all()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"tx_height_m": -1.0, "radius_m": 90.0}, "tx_height_m"),
        ({"tx_height_m": 10.0, "radius_m": 0.0}, "radius_m"),
        ({"tx_height_m": 10.0, "radius_m": 90.0, "k_factor": 0.0}, "k_factor"),
        ({"tx_height_m": 10.0, "radius_m": 90.0, "rx_height_m": float("nan")}, "rx_height_m"),
    ],
)
def test_bad_options_are_refused(options, message):
    terrain = make_terrain(np.zeros((20, 20), dtype=np.float32))
    with pytest.raises(ValueError, match=message):
        viewshed(terrain, 300.0, 300.0, **options)


def test_batch_names_the_site_whose_radius_holds_a_void_or_leaves_the_grid():
    elevation = np.zeros((40, 40), dtype=np.float32)
    elevation[30, 30] = np.nan
    terrain = make_terrain(elevation)
    xs, ys = site_xy(terrain, [8, 28], [8, 28])
    with pytest.raises(TerrainError, match="site 1: 1 void"):
        viewsheds(terrain, xs, ys, tx_height_m=10, radius_m=5 * CELL_M)
    with pytest.raises(TerrainError, match="site T-02: 1 void"):
        viewsheds(terrain, xs, ys, tx_height_m=10, radius_m=5 * CELL_M, site_names=["T-01", "T-02"])
    edge_x, edge_y = site_xy(terrain, [2, 20], [2, 20])
    with pytest.warns(CoverageWarning, match=r"1 site\(s\) \(T-01\) reaches past the edge"):
        viewsheds(
            terrain,
            edge_x,
            edge_y,
            tx_height_m=10,
            radius_m=5 * CELL_M,
            site_names=["T-01", "T-02"],
        )
    with pytest.raises(TerrainError, match="site T-02 at x=1500.0, y=.* outside"):
        viewsheds(
            terrain,
            [300.0, 1500.0],
            [300.0, 300.0],
            tx_height_m=10,
            radius_m=90,
            site_names=["T-01", "T-02"],
        )


def test_geotiff_of_band_windows_reads_back_as_the_full_bands(tmp_path):
    """Only each site's square is written; the blocks left out read back as NODATA."""
    import rasterio
    import rasterio.errors

    from coverage.io.rasters import write_geotiff

    elevation = rough_terrain(600, 2, relief_m=300.0)
    terrain = make_terrain(elevation)
    rows, cols = np.array([50, 300, 450]), np.array([60, 300, 570])
    xs, ys = site_xy(terrain, rows, cols)
    with pytest.warns(CoverageWarning):  # the radius of sites 0 and 2 reaches past the edge
        bands = viewsheds(terrain, xs, ys, tx_height_m=[10.0, 20.0, 30.0], radius_m=90 * CELL_M)
    reach = 91
    windows = [
        (r - reach, c - reach, 2 * reach + 1, 2 * reach + 1)
        for r, c in zip(rows, cols, strict=True)
    ]
    out = write_geotiff(
        tmp_path / "vs.tif",
        bands,
        transform=terrain.transform,
        crs=terrain.crs,
        nodata=NODATA,
        windows=windows,
    )
    with rasterio.open(out) as src:
        np.testing.assert_array_equal(src.read(), bands)
        assert src.nodata == NODATA and src.count == 3
        # the blocks away from the site were not stored: the file is sparse
        assert src.block_size(1, 0, 0) > 0
        with pytest.raises(rasterio.errors.RasterBlockError):
            src.block_size(1, 2, 2)
