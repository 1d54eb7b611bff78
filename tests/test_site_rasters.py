"""One raster band per site (coverage.site_rasters) and the batch writer under it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine

from coverage.crs import WGS84, grow_lonlat_bounds, transform_xy
from coverage.errors import OutputExistsError, TerrainError
from coverage.io.rasters import BandBatch, write_band_batches
from coverage.io.towers import OPTIONAL_COLUMNS, read_towers
from coverage.model import predict
from coverage.radial.itm_native import itm_native_path_loss
from coverage.radial.viewshed import NODATA, viewsheds
from coverage.site_rasters import (
    SECTOR_COLUMNS,
    SITE_COLUMNS,
    itm_loss_bands,
    lonlat_viewshed_bands,
    power_bands,
    site_frame,
    viewshed_bands,
)
from coverage.terrain import NativeDEM, Terrain

UTM = "EPSG:32648"
CELL = 30.0
ORIGIN = (480_000.0, 2_520_000.0)


@pytest.fixture(scope="module")
def hills() -> Terrain:
    """A 90 x 90 grid (2.7 km) of random hills, 30 m cells, UTM 48N."""
    rng = np.random.default_rng(11)
    rows, cols = np.mgrid[0:90, 0:90]
    elevation = 600 + 150 * np.sin(cols / 9.0) * np.cos(rows / 13.0) + rng.normal(0, 3, (90, 90))
    return Terrain.from_array(
        elevation.astype(np.float32),
        transform=Affine(CELL, 0, ORIGIN[0], 0, -CELL, ORIGIN[1]),
        crs=UTM,
    )


def _lonlat(xy: list[tuple[float, float]]) -> np.ndarray:
    x, y = np.array(xy, dtype=float).T
    lon, lat = transform_xy(UTM, WGS84, x, y)
    return np.column_stack([lon, lat])


# five sites at least 600 m inside the grid's edges
SITES_XY = [(480_900.0, 2_519_100.0), (481_350.0, 2_518_700.0), (481_800.0, 2_518_000.0),
            (480_700.0, 2_518_200.0), (481_500.0, 2_519_300.0)]  # fmt: skip


def test_site_frame_names_points_then_appends_a_tower_list(small_scenario: dict) -> None:
    towers = read_towers(small_scenario["towers"])
    frame = site_frame(
        [[103.42, 22.66], [103.5, 22.7]],
        antenna_height_m=25.0,
        frequency_mhz=1800.0,
        eirp_dbm=43.0,
        towers=towers,
    )
    assert list(frame.columns) == [*SITE_COLUMNS, "geometry"] and frame.crs == WGS84
    assert list(frame["site_id"]) == ["1 (103.42,22.66)", "2 (103.5,22.7)", "S0", "S1", "S2"]
    assert frame["antenna_height_m"].tolist()[:2] == [25.0, 25.0]
    assert frame["eirp_dbm"].tolist() == [43.0, 43.0, 60.0, 60.0, 60.0]  # the list's own
    assert frame["frequency_mhz"].tolist() == [1800.0] * 5
    assert frame.geometry.x.iloc[0] == 103.42
    assert np.allclose(frame.geometry.x.iloc[2:], small_scenario["lon"])
    only_towers = site_frame([], towers=towers)
    assert list(only_towers["site_id"]) == ["S0", "S1", "S2"]
    assert len(site_frame([])) == 0


@pytest.mark.parametrize("batch_size", [1, 2, 8])
def test_viewshed_bands_are_viewsheds_batched(hills: Terrain, batch_size: int) -> None:
    sites = site_frame(_lonlat(SITES_XY), antenna_height_m=20.0)
    sites.loc[3, "antenna_height_m"] = 5.0  # each site's own height
    bands = viewshed_bands(hills, sites, radius_m=500.0, batch_size=batch_size)
    assert bands.shape == hills.shape and bands.nodata == NODATA and len(bands.names) == 5
    x, y = sites.to_crs(UTM).geometry.x.to_numpy(), sites.to_crs(UTM).geometry.y.to_numpy()
    expected = viewsheds(
        hills, x, y, tx_height_m=sites["antenna_height_m"].to_numpy(), radius_m=500.0
    )
    np.testing.assert_array_equal(bands.to_array(), expected)
    for first_band, batch, windows in bands:  # nothing but NODATA outside each window
        for band, (row, col, height, width) in zip(batch, windows, strict=True):
            outside = np.ones(band.shape, bool)
            outside[max(row, 0) : row + height, max(col, 0) : col + width] = False
            assert (band[outside] == NODATA).all() and (band != NODATA).sum() > 500
        assert len(batch) == min(batch_size, 5 - first_band + 1)


def test_a_site_outside_the_terrain_fails_before_any_work(hills: Terrain) -> None:
    sites = site_frame(_lonlat([SITES_XY[0], (470_000.0, 2_518_000.0)]))
    with pytest.raises(TerrainError, match=r"site 2 \(.*\) .* outside the terrain"):
        viewshed_bands(hills, sites, radius_m=500.0)
    with pytest.raises(TerrainError, match=r"1 point\(s\) outside the terrain \(2 \("):
        power_bands(hills, sites, radius_m=500.0)


def test_power_bands_are_each_site_predicted_alone(hills: Terrain) -> None:
    sites = site_frame(_lonlat(SITES_XY[:3]), frequency_mhz=900.0, eirp_dbm=50.0)
    sites.loc[1, ["frequency_mhz", "eirp_dbm", "azimuth_deg", "beamwidth_deg"]] = [
        1800.0, 40.0, 90.0, 65.0
    ]  # fmt: skip
    seen: list[int] = []
    bands = power_bands(hills, sites, radius_m=600.0, batch_size=2, progress=seen.append)
    power = bands.to_array()
    assert power.dtype == np.float32 and seen == [2, 3]
    for i in range(3):
        alone = sites.iloc[[i]].assign(operator="one", technology="4G")
        expected = predict(alone, hills, radius_m=600.0, eirp_is="measured").best_power_dbm[0]
        np.testing.assert_array_equal(power[i], expected)
    assert np.nanmax(power[0]) < 50.0 and np.nanmax(power[1]) < 40.0


def _native_hills() -> NativeDEM:
    """121 x 121 posts, 3 arc-seconds, EPSG:4326 (an SRTM-like window)."""
    rng = np.random.default_rng(5)
    rows, cols = np.mgrid[0:121, 0:121]
    elevation = 400 + 120 * np.sin(cols / 7.0) * np.cos(rows / 11.0) + rng.normal(0, 4, rows.shape)
    step = 3.0 / 3600.0
    transform = Affine(step, 0, 103.45 - step / 2, 0, -step, 22.55 + step / 2)
    return NativeDEM.from_array(elevation, transform=transform, crs="EPSG:4326")


def test_itm_loss_bands_place_each_site_on_the_dem_grid() -> None:
    dem = _native_hills()
    sites = site_frame([[103.475, 22.525], [103.48, 22.52]], antenna_height_m=30.0)
    sites.loc[1, ["antenna_height_m", "frequency_mhz"]] = [45.0, 1800.0]
    loss = itm_loss_bands(dem, sites, radius_m=1_500.0).to_array()
    assert loss.shape == (2, 121, 121) and loss.dtype == np.float32
    for i, (lon, lat) in enumerate([(103.475, 22.525), (103.48, 22.52)]):
        alone = itm_native_path_loss(
            dem,
            lon,
            lat,
            tx_height_m=float(sites["antenna_height_m"].iloc[i]),
            frequency_mhz=float(sites["frequency_mhz"].iloc[i]),
            radius_m=1_500.0,
        )
        row0 = round((alone.transform.f - dem.transform.f) / dem.transform.e)
        col0 = round((alone.transform.c - dem.transform.c) / dem.transform.a)
        rows, cols = alone.shape
        np.testing.assert_array_equal(
            loss[i, row0 : row0 + rows, col0 : col0 + cols], alone.loss_db
        )
        outside = np.ones(dem.shape, bool)
        outside[row0 : row0 + rows, col0 : col0 + cols] = False
        assert np.isnan(loss[i][outside]).all()


def test_to_geotiff_writes_named_bands_and_refuses_to_overwrite(
    hills: Terrain, tmp_path: Path
) -> None:
    sites = site_frame(_lonlat(SITES_XY[:3]))
    bands = viewshed_bands(hills, sites, radius_m=400.0, batch_size=2)
    out = bands.to_geotiff(tmp_path / "vs.tif")
    with rasterio.open(out) as src:
        assert src.descriptions == bands.names and src.nodata == NODATA
        assert src.crs == hills.crs and src.transform == hills.transform
        np.testing.assert_array_equal(src.read(), bands.to_array())
    with pytest.raises(OutputExistsError):
        bands.to_geotiff(out)


def test_write_band_batches_leaves_nothing_when_a_batch_fails(tmp_path: Path) -> None:
    def batches():  # the second batch fails, as a site outside the DEM would
        yield BandBatch(1, np.ones((1, 4, 4), np.uint8))
        raise TerrainError("site 2 is outside the terrain")

    out = tmp_path / "bands.tif"
    with pytest.raises(TerrainError):
        write_band_batches(
            out, batches(), count=2, shape=(4, 4), dtype=np.uint8, nodata=255,
            transform=Affine(30, 0, 0, 0, -30, 120), crs=UTM,
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_grow_lonlat_bounds_grows_by_about_the_distance() -> None:
    box = (103.0, 22.0, 104.0, 23.0)
    grown = grow_lonlat_bounds(box, 20_000.0)
    geod = gpd.GeoSeries.from_xy([103.0, grown[0]], [23.0, 23.0], crs=WGS84).to_crs("EPSG:32648")
    assert geod.iloc[0].distance(geod.iloc[1]) == pytest.approx(20_000.0, rel=0.01)
    assert grown[1] == pytest.approx(22.0 - 20_000.0 / 111_320.0)
    assert grow_lonlat_bounds(box, 0.0) == box
    with pytest.raises(ValueError, match="distance_m"):
        grow_lonlat_bounds(box, float("nan"))


def test_sector_columns_are_the_tower_lists_optional_columns() -> None:
    assert SECTOR_COLUMNS == OPTIONAL_COLUMNS


def test_lonlat_viewshed_bands_are_viewshed_bands_of_the_site_frame(hills: Terrain) -> None:
    lonlat = _lonlat(SITES_XY)
    light = lonlat_viewshed_bands(hills, lonlat, antenna_height_m=25.0, radius_m=600.0,
                                  rx_height_m=2.0, batch_size=2)  # fmt: skip
    frame = viewshed_bands(hills, site_frame(lonlat, antenna_height_m=25.0), radius_m=600.0,
                           rx_height_m=2.0, batch_size=2)  # fmt: skip
    assert light.names == frame.names and light.radius_cells == frame.radius_cells
    expected = frame.to_array()
    assert (expected == 1).sum() > 1000
    np.testing.assert_array_equal(light.to_array(), expected)
    with pytest.raises(TerrainError, match="site 1 "):
        lonlat_viewshed_bands(hills, [[100.0, 10.0]], radius_m=600.0)
