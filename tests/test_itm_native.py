"""ITM on the DEM's own grid (coverage.radial.itm_native) and the native DEM reader (coverage.io.dem)."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS, Geod

from coverage.errors import (
    CoverageWarning,
    ModelRangeError,
    RepairWarning,
    TerrainError,
)
from coverage.io.dem import open_native_dem
from coverage.io.rasters import write_geotiff
from coverage.physics.itm.p2p import itm_p2p_loss
from coverage.radial.itm_native import itm_native_path_loss
from coverage.terrain import NativeDEM
from coverage.validity import Validity

TILE = "N22E103"
SITE = (103.5, 22.5)  # a post of the tile (its centre)
RADIO = {"tx_height_m": 30.0, "rx_height_m": 1.5, "frequency_mhz": 900.0}
P2P = {
    "h_tx_m": 30.0,
    "h_rx_m": 1.5,
    "frequency_mhz": 900.0,
}  # the same, as itm_p2p_loss names them
WGS84_GEOD = Geod(ellps="WGS84")


def _write_hgt(folder: Path, elevation: np.ndarray) -> Path:
    path = folder / f"{TILE}.hgt"
    np.asarray(elevation).astype(">i2").tofile(path)
    return path


def _rough(seed: int = 3) -> np.ndarray:
    """1201 x 1201 posts of fractal hills, 200-1,700 m (int16 like SRTM)."""
    rng = np.random.default_rng(seed)
    freq = np.hypot(np.fft.fftfreq(1201)[:, None], np.fft.fftfreq(1201)[None, :])
    freq[0, 0] = 1.0
    spectrum = (rng.normal(size=(1201, 1201)) + 1j * rng.normal(size=(1201, 1201))) * freq**-1.6
    spectrum[0, 0] = 0.0
    surface = np.fft.ifft2(spectrum).real
    return np.rint(200.0 + (surface - surface.min()) / np.ptp(surface) * 1_500.0)


@pytest.fixture(scope="module")
def rough_hgt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    elevation = _rough()
    return _write_hgt(tmp_path_factory.mktemp("rough"), elevation), elevation


@pytest.fixture(scope="module")
def rough_dem(rough_hgt: tuple[Path, np.ndarray]) -> NativeDEM:
    return open_native_dem(rough_hgt[0], bounds=(103.35, 22.35, 103.65, 22.65))


def _independent_loss(
    elevation: np.ndarray, row: int, col: int, max_points: int | None, distance: float
) -> float:
    """ITM on a profile built here: nearest posts on the lon/lat line, over ``distance``.

    (``distance`` is checked against the geodesic separately: ITM is not continuous in
    it, a change of 1e-4 m can move a loss by 0.04 dB where a fit window starts.)
    """
    lon0, lat0 = SITE
    site_row, site_col = (23.0 - lat0) * 1200.0, (lon0 - 103.0) * 1200.0
    intervals = max(1, math.ceil(math.hypot(row - site_row, col - site_col) - 1e-9))
    if max_points is not None:
        intervals = min(intervals, max_points - 1)
    t = np.arange(intervals + 1) / intervals
    rows = np.floor(site_row + (row - site_row) * t + 0.5 + 1e-9).astype(int)
    cols = np.floor(site_col + (col - site_col) * t + 0.5 + 1e-9).astype(int)
    profile = elevation[rows, cols].astype(float)
    return itm_p2p_loss(profile, distance / intervals, **P2P).loss_db


# ---------------------------------------------------------------------- open_native_dem


def test_native_dem_is_the_tile_itself(rough_hgt: tuple[Path, np.ndarray]) -> None:
    path, elevation = rough_hgt
    dem = open_native_dem(path, bounds=(103.4, 22.4, 103.6, 22.6))
    assert dem.crs == CRS("EPSG:4326")
    assert dem.shape == (241, 241)
    # posts 480..720 of the tile in both directions, unresampled
    np.testing.assert_array_equal(dem.elevation_m, elevation[480:721, 480:721])
    row, col = dem.rowcol(103.5, 22.5)
    assert (float(row), float(col)) == pytest.approx((120.0, 120.0), abs=1e-6)
    whole = open_native_dem(path)
    assert whole.shape == (1201, 1201)
    assert whole.transform.c == pytest.approx(103.0 - 0.5 / 1200.0)


def test_native_dem_fills_small_voids_and_says_so(tmp_path: Path) -> None:
    elevation = np.full((1201, 1201), 500, dtype=int)
    elevation[600:603, 600:603] = -32768
    path = _write_hgt(tmp_path, elevation)
    with pytest.warns(RepairWarning, match="9 void source cells"):
        dem = open_native_dem(path, bounds=(103.45, 22.45, 103.55, 22.55))
    assert np.isfinite(dem.elevation_m).all()
    assert int(dem.void_mask.sum()) == 9
    assert float(dem.elevation_m[dem.void_mask].mean()) == pytest.approx(500.0)


def test_native_dem_bounds_outside_the_data(rough_hgt: tuple[Path, np.ndarray]) -> None:
    with pytest.raises(TerrainError, match=r"lie outside the elevation data N22E103\.hgt"):
        open_native_dem(rough_hgt[0], bounds=(105.0, 22.0, 105.5, 22.5))


def test_native_dem_reads_a_real_geotiff(laocai_dir: Path) -> None:
    """The real (coarse) Lào Cai DEM, as published: same values as rasterio reads."""
    path = laocai_dir / "dem_coarse_9km.tif"
    with pytest.warns(RepairWarning) if _has_voids(path) else contextlib.nullcontext():
        dem = open_native_dem(path)
    with rasterio.open(path) as source:
        raw = source.read(1).astype(np.float32)
        nodata = source.nodata
        assert dem.transform.almost_equals(source.transform)
    valid = raw != nodata if nodata is not None else np.isfinite(raw)
    np.testing.assert_array_equal(dem.elevation_m[valid], raw[valid])


def _has_voids(path: Path) -> bool:
    with rasterio.open(path) as source:
        raw = source.read(1)
        return source.nodata is not None and bool((raw == source.nodata).any())


# ---------------------------------------------------------------------- itm_native_path_loss


def test_flat_ground_equals_point_to_point_itm(tmp_path: Path) -> None:
    path = _write_hgt(tmp_path, np.full((1201, 1201), 300))
    dem = open_native_dem(path, bounds=(103.4, 22.4, 103.6, 22.6))
    result = itm_native_path_loss(dem, *SITE, radius_m=8_000.0, **RADIO)
    assert result.crs == CRS("EPSG:4326")
    row, col = (int(round(float(v))) for v in result_rowcol(result, 103.55, 22.47))
    _, _, distance = WGS84_GEOD.inv(*SITE, 103.55, 22.47)
    assert float(result.distance_m[row, col]) == pytest.approx(distance, rel=1e-4)
    intervals = math.ceil(math.hypot(0.05 * 1200, 0.03 * 1200) - 1e-9)
    expected = itm_p2p_loss(np.full(intervals + 1, 300.0), distance / intervals, **P2P).loss_db
    assert float(result.loss_db[row, col]) == pytest.approx(expected, abs=0.01)


def result_rowcol(result: object, lon: float, lat: float) -> tuple[float, float]:
    transform = result.transform  # type: ignore[attr-defined]
    return (lat - transform.f) / transform.e - 0.5, (lon - transform.c) / transform.a - 0.5


@pytest.mark.parametrize("max_points", [None, 60])
def test_every_post_gets_itm_on_its_own_nearest_post_profile(
    rough_hgt: tuple[Path, np.ndarray], rough_dem: NativeDEM, max_points: int | None
) -> None:
    _, elevation = rough_hgt
    result = itm_native_path_loss(
        rough_dem, *SITE, radius_m=15_000.0, max_profile_points=max_points, **RADIO
    )
    inside = np.isfinite(result.distance_m)
    assert np.isfinite(result.loss_db[inside]).all()
    assert not np.isfinite(result.loss_db[~inside]).any()
    rng = np.random.default_rng(5)
    rows, cols = np.nonzero(inside)
    checked = 0
    for index in rng.choice(len(rows), size=40, replace=False):
        r, c = int(rows[index]), int(cols[index])
        lon, lat = rough_dem_lonlat(result, r, c)
        tile_row, tile_col = round((23.0 - lat) * 1200.0), round((lon - 103.0) * 1200.0)
        if (tile_row, tile_col) == (600, 600):
            continue
        expected = _independent_loss(
            elevation, tile_row, tile_col, max_points, float(result.distance_m[r, c])
        )
        assert float(result.loss_db[r, c]) == pytest.approx(expected, abs=0.02), (r, c)
        checked += 1
    assert checked >= 39


def rough_dem_lonlat(result: object, row: int, col: int) -> tuple[float, float]:
    transform = result.transform  # type: ignore[attr-defined]
    return transform.c + (col + 0.5) * transform.a, transform.f + (row + 0.5) * transform.e


def test_results_summarise_themselves_in_jupyter(rough_dem: NativeDEM) -> None:
    result = itm_native_path_loss(rough_dem, *SITE, radius_m=5_000.0, **RADIO)
    page = result._repr_html_()
    assert f"{int(np.isfinite(result.distance_m).sum()):,}" in page
    assert "EPSG:4326" in page and "truncated by the DEM edge</th><td" in page
    assert "361 × 361 posts" in rough_dem._repr_html_()


def test_radius_is_geodesic_and_the_site_post_is_flagged(rough_dem: NativeDEM) -> None:
    result = itm_native_path_loss(rough_dem, *SITE, radius_m=5_000.0, **RADIO)
    rows, cols = np.nonzero(np.isfinite(result.distance_m))
    lon, lat = rough_dem_lonlat(result, rows, cols)
    _, _, geodesic = WGS84_GEOD.inv(
        np.full(lon.shape, SITE[0]), np.full(lat.shape, SITE[1]), lon, lat
    )
    assert geodesic.max() <= 5_000.0 * (1 + 1e-4)
    np.testing.assert_allclose(result.distance_m[rows, cols], geodesic, rtol=1e-4, atol=0.5)
    # the site's own post: free space, flagged as outside the model's distances
    own = np.unravel_index(np.nanargmin(result.distance_m), result.shape)
    assert result.validity[own] & Validity.DISTANCE_OUT_OF_RANGE
    assert result.validity[own] & Validity.ITM_WARNING
    # posts under ITM's 1 km carry its warning
    near = (result.distance_m > 200.0) & (result.distance_m < 900.0)
    assert (result.validity[near] & Validity.ITM_WARNING).all()


def test_projected_dem_rows_are_read_as_they_are() -> None:
    """On a metric DEM a profile along a row is that row: ITM on it, to the same dB."""
    rng = np.random.default_rng(9)
    elevation = rng.uniform(300.0, 900.0, size=(101, 101)).astype(np.float32)
    dem = NativeDEM.from_array(
        elevation,
        transform=Affine(30.0, 0, 500_000.0, 0, -30.0, 2_500_000.0),
        crs="EPSG:32648",
        source="random posts",
    )
    x, y = 500_000.0 + 50.5 * 30.0, 2_500_000.0 - 50.5 * 30.0  # post (50, 50)
    result = itm_native_path_loss(dem, x, y, radius_m=1_450.0, **RADIO)
    expected = itm_p2p_loss(elevation[50, 50:99].astype(float), 30.0, **P2P).loss_db
    assert float(result.loss_db[50, 98]) == pytest.approx(expected, abs=1e-4)
    assert float(result.distance_m[50, 98]) == pytest.approx(48 * 30.0)


def test_geotiff_output_is_on_the_dem_grid(rough_dem: NativeDEM, tmp_path: Path) -> None:
    result = itm_native_path_loss(rough_dem, *SITE, radius_m=3_000.0, **RADIO)

    def write(overwrite: bool = False) -> Path:
        return write_geotiff(
            tmp_path / "loss.tif", result.loss_db, transform=result.transform, crs=result.crs,
            nodata=float("nan"), overwrite=overwrite,
        )  # fmt: skip

    out = write()
    with rasterio.open(out) as written:
        assert CRS(written.crs.to_wkt()) == CRS("EPSG:4326")
        assert written.transform.almost_equals(result.transform)
        np.testing.assert_array_equal(written.read(1), result.loss_db)
    with pytest.raises(Exception, match="exists"):
        write()


def test_radius_past_the_edge_warns(rough_hgt: tuple[Path, np.ndarray]) -> None:
    dem = open_native_dem(rough_hgt[0], bounds=(103.45, 22.45, 103.55, 22.55))
    with pytest.warns(CoverageWarning, match="reaches past the edge"):
        result = itm_native_path_loss(dem, *SITE, radius_m=8_000.0, **RADIO)
    assert result.truncated
    assert result.shape == dem.shape


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"x": 104.5}, TerrainError, "outside the DEM"),
        ({"radius_m": 0.0}, TerrainError, "radius_m must be a positive"),
        ({"frequency_mhz": 5.0}, ModelRangeError, "frequency_mhz"),
        ({"max_profile_points": 2}, ModelRangeError, "at least 3"),
    ],
)
def test_bad_input_is_named(
    rough_dem: NativeDEM, change: dict, error: type[Exception], match: str
) -> None:
    arguments = {"x": SITE[0], "y": SITE[1], "radius_m": 2_000.0, **RADIO, **change}
    with pytest.raises(error, match=match):
        itm_native_path_loss(rough_dem, **arguments)


def test_voids_within_the_radius_are_an_error(tmp_path: Path) -> None:
    elevation = np.full((1201, 1201), 500, dtype=int)
    elevation[560:600, 640:700] = -32768  # 40 x 60 posts: too large to fill
    path = _write_hgt(tmp_path, elevation)
    with pytest.warns(RepairWarning):
        dem = open_native_dem(path, bounds=(103.4, 22.4, 103.6, 22.6))
    with pytest.raises(TerrainError, match="void posts of the DEM N22E103.hgt lie within"):
        itm_native_path_loss(dem, *SITE, radius_m=6_000.0, **RADIO)
    on_void = (103.0 + 650 / 1200.0, 23.0 - 580 / 1200.0)
    with pytest.raises(TerrainError, match="stands on a void"):
        itm_native_path_loss(dem, *on_void, radius_m=1_000.0, **RADIO)


# ---------------------------------------------------------------------- phusong itm-loss


def test_cli_itm_loss_writes_the_native_grid(
    rough_hgt: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from coverage.cli import main

    towers = tmp_path / "towers.csv"
    towers.write_text(
        "site_id,operator,technology,lon,lat,antenna_height_m,frequency_mhz,eirp_dbm,"
        "beamwidth_deg,tilt_deg\n"
        "T1,Viettel,4G,103.52,22.48,45,1800,60,360,0\n"
    )
    out = tmp_path / "loss.tif"
    arguments = [
        "itm-loss", "--dem", str(rough_hgt[0]), "--site", "103.5,22.5", "--sites", str(towers),
        "--radius", "4000", "--out", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    with rasterio.open(out) as written:
        assert written.count == 2 and CRS(written.crs.to_wkt()) == CRS("EPSG:4326")
        assert written.descriptions[1] == "T1"
        first, second = written.read(1), written.read(2)
        transform = written.transform
        left, bottom, right, top = written.bounds
    # the same posts as the command read (same window: the same float arithmetic; ITM is
    # not continuous, so a window shifted by whole posts can move a rare pixel by 0.2 dB)
    half = 0.25 / 1200.0
    window = open_native_dem(
        rough_hgt[0], bounds=(left + half, bottom + half, right - half, top - half)
    )
    assert window.transform.almost_equals(transform)
    for band, (lon, lat, height, frequency) in (
        (first, (103.5, 22.5, 30.0, 900.0)),
        (second, (103.52, 22.48, 45.0, 1800.0)),
    ):
        expected = itm_native_path_loss(
            window, lon, lat, tx_height_m=height, frequency_mhz=frequency, radius_m=4_000.0
        )
        row0 = round((expected.transform.f - transform.f) / transform.e)
        col0 = round((expected.transform.c - transform.c) / transform.a)
        rows, cols = expected.shape
        np.testing.assert_array_equal(
            band[row0 : row0 + rows, col0 : col0 + cols], expected.loss_db
        )
        assert np.isfinite(band).sum() == np.isfinite(expected.loss_db).sum()
    again = CliRunner().invoke(main, arguments)
    assert again.exit_code == 2 and "--overwrite" in again.output
