"""Terrain: reading GeoTIFF and SRTM tiles onto one metric grid, voids, crops, sampling."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from coverage.crs import transform_xy
from coverage.errors import (
    CRSError,
    MissingFileError,
    OutputExistsError,
    RepairWarning,
    ResolutionWarning,
    TerrainError,
)
from coverage.grid import Grid
from coverage.io.rasters import write_terrain
from coverage.io.terrain import open_terrain
from coverage.terrain import Terrain, check_points_on_terrain

ARCSEC3 = 1.0 / 1200.0  # SRTM3 spacing in degrees


def plane(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A tilted plane in lon/lat: bilinear resampling reproduces it almost exactly."""
    return 400.0 + 900.0 * (lon - 103.0) + 600.0 * (lat - 22.0)


def write_geographic_tile(
    path: Path, west: float, north: float, cols: int, rows: int, step: float, *, crs="EPSG:4326"
) -> None:
    lon = west + (np.arange(cols) + 0.5) * step
    lat = north - (np.arange(rows) + 0.5) * step
    values = plane(lon[None, :], lat[:, None]).astype(np.float32)
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": "float32",
        "transform": Affine(step, 0, west, 0, -step, north),
        "nodata": -9999.0,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)


def srtm3_values(*, voids: list[tuple[slice, slice]] = ()) -> np.ndarray:
    """A 1201 x 1201 SRTM3 tile N22E103 holding the plane, with optional -32768 voids."""
    lon = 103.0 + np.arange(1201) * ARCSEC3  # SRTM samples sit on whole arc-seconds
    lat = 23.0 - np.arange(1201) * ARCSEC3
    values = np.round(plane(lon[None, :], lat[:, None])).astype(">i2")
    for rows, cols in voids:
        values[rows, cols] = -32768
    return values


def lonlat_to(terrain: Terrain, lon, lat):
    return transform_xy("EPSG:4326", terrain.crs, np.asarray(lon), np.asarray(lat))


# ------------------------------------------------------------------------------- GeoTIFF


def test_two_geographic_tiles_mosaic_onto_one_metric_grid(tmp_path: Path) -> None:
    step = 0.002
    write_geographic_tile(tmp_path / "west.tif", 103.0, 22.5, 250, 250, step)
    write_geographic_tile(tmp_path / "east.tif", 103.5, 22.5, 250, 250, step)
    terrain = open_terrain(tmp_path)
    assert terrain.crs.to_epsg() == 32648  # UTM 48N from the data centre
    assert terrain.resolution_m == round(step * np.pi / 180 * 6_371_008.8)  # 222 m
    assert not terrain.void_mask.any() and np.isfinite(terrain.elevation_m).all()
    lon = np.array([103.1, 103.4999, 103.5001, 103.52, 103.9, 103.5])
    lat = np.array([22.1, 22.25, 22.25, 22.4, 22.2, 22.05])
    z = terrain.sample(*lonlat_to(terrain, lon, lat))
    np.testing.assert_allclose(z, plane(lon, lat), atol=1.0)
    # the grid's corners lie inside both tiles' footprint (no empty slivers)
    left, bottom, right, top = terrain.bounds
    lons, lats = transform_xy(
        terrain.crs, "EPSG:4326", [left, right, left, right], [top, top, bottom, bottom]
    )
    assert (lons >= 103.0).all() and (lons <= 104.0).all()
    assert (lats >= 22.0).all() and (lats <= 22.5).all()


def test_single_file_bounds_crop_and_user_crs(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    write_geographic_tile(path, 103.0, 22.5, 300, 300, 1 / 600)
    bounds = (103.1, 22.1, 103.3, 22.3)
    cropped = open_terrain(path, bounds=bounds, resolution_m=100)
    assert cropped.resolution_m == 100.0
    lons, lats = transform_xy(
        cropped.crs,
        "EPSG:4326",
        [cropped.bounds[0], cropped.bounds[2]],
        [cropped.bounds[1], cropped.bounds[3]],
    )
    assert 103.09 < lons[0] < 103.11 and 103.29 < lons[1] < 103.31
    assert 22.09 < lats[0] < 22.11 and 22.29 < lats[1] < 22.31
    # bounds given in metres of another CRS
    x, y = transform_xy("EPSG:4326", "EPSG:32648", [103.15, 103.2], [22.15, 22.2])
    small = open_terrain(
        path, bounds=(x[0], y[0], x[1], y[1]), bounds_crs="EPSG:32648", resolution_m=100
    )
    assert small.shape[0] < cropped.shape[0] and small.shape[1] < cropped.shape[1]
    # a user-named CRS (VN-2000 / UTM zone 48N)
    vn2000 = open_terrain(path, bounds=bounds, crs="EPSG:3405", resolution_m=100)
    assert vn2000.crs.to_epsg() == 3405
    lon, lat = np.array([103.2]), np.array([22.2])
    np.testing.assert_allclose(
        vn2000.sample(*lonlat_to(vn2000, lon, lat)), plane(lon, lat), atol=1.0
    )


def test_tile_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.tif"
    write_geographic_tile(path, 103.0, 22.5, 20, 20, 0.01, crs=None)
    with pytest.raises(CRSError, match="nocrs.tif"):
        open_terrain(path)


def test_geographic_working_crs_is_refused(tmp_path: Path) -> None:
    write_geographic_tile(tmp_path / "a.tif", 103.0, 22.5, 20, 20, 0.01)
    with pytest.raises(CRSError, match="not a metric"):
        open_terrain(tmp_path / "a.tif", crs="EPSG:4326")


def test_bounds_outside_the_data_name_both_extents(tmp_path: Path) -> None:
    write_geographic_tile(tmp_path / "a.tif", 103.0, 22.5, 250, 250, 0.002)
    with pytest.raises(TerrainError, match=r"outside.*covers \(103\.0000, 22\.0000") as info:
        open_terrain(tmp_path / "a.tif", bounds=(105.0, 21.0, 105.5, 21.5))
    assert "(105.0000, 21.0000, 105.5000, 21.5000)" in str(info.value)


def test_no_files_lists_what_was_looked_for(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a DEM")
    with pytest.raises(MissingFileError, match=r"\.hgt\.zip"):
        open_terrain(tmp_path)
    with pytest.raises(MissingFileError, match="missing.tif"):
        open_terrain([tmp_path / "missing.tif"])


def test_tiles_in_different_crs_are_refused(tmp_path: Path) -> None:
    write_geographic_tile(tmp_path / "a.tif", 103.0, 22.5, 20, 20, 0.01)
    write_terrain(
        Terrain.from_array(
            np.ones((20, 20)), transform=Affine(100, 0, 400000, 0, -100, 2480000), crs="EPSG:32648"
        ),
        tmp_path / "b.tif",
    )
    with pytest.raises(TerrainError, match="different CRSs"):
        open_terrain(tmp_path)


def test_all_void_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "void.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
        crs="EPSG:32648", transform=Affine(100, 0, 400000, 0, -100, 2480000), nodata=-9999.0,
    ) as dst:  # fmt: skip
        dst.write(np.full((10, 10), -9999.0, dtype=np.float32), 1)
    with pytest.raises(TerrainError, match="every elevation cell"):
        open_terrain(path)


# ---------------------------------------------------------------------------------- SRTM


@pytest.fixture
def srtm_tile(tmp_path: Path) -> Path:
    path = tmp_path / "N22E103.hgt"
    path.write_bytes(srtm3_values().tobytes())
    return path


def test_srtm_hgt_tile(srtm_tile: Path) -> None:
    terrain = open_terrain(srtm_tile, bounds=(103.2, 22.2, 103.4, 22.4))
    assert terrain.resolution_m == 93.0  # 3 arc-seconds north-south, rounded
    assert terrain.crs.to_epsg() == 32648
    lon, lat = np.array([103.25, 103.3, 103.37]), np.array([22.22, 22.3, 22.38])
    np.testing.assert_allclose(
        terrain.sample(*lonlat_to(terrain, lon, lat)), plane(lon, lat), atol=1.0
    )


def test_srtm_hgt_zip_reads_like_the_hgt(srtm_tile: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "zips" / "N22E103.hgt.zip"
    zipped.parent.mkdir()
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(srtm_tile, "N22E103.hgt")
    bounds = (103.2, 22.2, 103.3, 22.3)
    from_zip = open_terrain(zipped.parent, bounds=bounds)
    plain = open_terrain(srtm_tile, bounds=bounds)
    np.testing.assert_array_equal(from_zip.elevation_m, plain.elevation_m)
    assert from_zip.transform == plain.transform


def test_voids_are_filled_and_flagged_big_ones_stay_nan(tmp_path: Path) -> None:
    # small void: 4 x 4 cells; big void: 80 x 80 cells (40 cells from data at its centre)
    small = (slice(600, 604), slice(300, 304))
    big = (slice(400, 480), slice(700, 780))
    path = tmp_path / "N22E103.hgt"
    path.write_bytes(srtm3_values(voids=[small, big]).tobytes())
    with pytest.warns(RepairWarning, match=r"6416 void source cells.*; 16 filled.*6400 left NaN"):
        terrain = open_terrain(path, bounds=(103.15, 22.45, 103.7, 22.7))
    z = terrain.elevation_m

    def at(row: float, col: float) -> tuple[np.ndarray, np.ndarray]:
        return lonlat_to(terrain, [103.0 + col * ARCSEC3], [23.0 - row * ARCSEC3])

    # the small void is interpolated from the plane around it and flagged
    x, y = at(601.5, 301.5)
    lon, lat = 103.0 + 301.5 * ARCSEC3, 23.0 - 601.5 * ARCSEC3
    np.testing.assert_allclose(
        terrain.sample(x, y), plane(np.array([lon]), np.array([lat])), atol=2.0
    )
    row, col = terrain.rowcol(x, y)
    assert terrain.void_mask[int(round(row[0])), int(round(col[0]))]
    # the big void's centre stays NaN and flagged: never 0 (sea level)
    x, y = at(440, 740)
    assert np.isnan(terrain.sample(x, y)).all()
    row, col = terrain.rowcol(x, y)
    assert terrain.void_mask[int(round(row[0])), int(round(col[0]))]
    assert np.nanmin(z) > 300.0  # the plane's lowest value here is ~ 400; no zeros anywhere
    assert 0.0 < terrain.void_mask.mean() < 0.2


def test_voids_left_alone_when_filling_is_off(tmp_path: Path) -> None:
    path = tmp_path / "N22E103.hgt"
    path.write_bytes(srtm3_values(voids=[(slice(600, 604), slice(300, 304))]).tobytes())
    with pytest.warns(RepairWarning, match="16 left NaN"):
        terrain = open_terrain(path, bounds=(103.2, 22.45, 103.3, 22.55), fill_voids=False)
    assert np.isnan(terrain.elevation_m).any()
    assert np.nanmin(terrain.elevation_m) > 300.0


# ------------------------------------------------------------------------------ real data


def test_real_coarse_dem_warns_about_resolution(laocai_dir: Path) -> None:
    with pytest.warns(ResolutionWarning, match=r"9,266 m"):
        terrain = open_terrain(laocai_dir / "dem_coarse_9km.tif")
    assert terrain.crs.to_epsg() == 32648
    assert 50 < np.nanmin(terrain.elevation_m) < np.nanmax(terrain.elevation_m) < 3200


# -------------------------------------------------------------------- sampling and output


@pytest.fixture
def ramp() -> Terrain:
    values = np.arange(20, dtype=float).reshape(4, 5) * 10.0
    values[3, 4] = np.nan
    return Terrain.from_array(
        values, transform=Affine(100, 0, 1000, 0, -100, 5000), crs="EPSG:32648"
    )


def test_sample_is_bilinear_and_nan_outside(ramp: Terrain) -> None:
    # cell (0, 0) centre is (1050, 4950) = 0; (0, 1) = 10; (1, 0) = 50
    x = np.array([1050.0, 1100.0, 1050.0, 1100.0, 999.0, 1010.0, 1490.0])
    y = np.array([4950.0, 4950.0, 4900.0, 4900.0, 4950.0, 4990.0, 4650.0])
    np.testing.assert_allclose(ramp.sample(x, y), [0.0, 5.0, 25.0, 30.0, np.nan, 0.0, np.nan])
    assert ramp.sample(1150.0, 4850.0).shape == ()


def test_check_points_names_the_offending_sites(ramp: Terrain) -> None:
    z = check_points_on_terrain(ramp, [1050.0, 1250.0], [4950.0, 4850.0], labels=["A", "B"])
    np.testing.assert_allclose(z, [0.0, 70.0])
    with pytest.raises(
        TerrainError, match=r"1 point\(s\) outside the terrain \(VT-9\).*unfilled voids \(VT-7\)"
    ):
        check_points_on_terrain(
            ramp, [1050.0, 9999.0, 1480.0], [4950.0, 4950.0, 4620.0], labels=["ok", "VT-9", "VT-7"]
        )


def test_write_terrain_round_trip_and_refuses_to_overwrite(ramp: Terrain, tmp_path: Path) -> None:
    full = Terrain.from_array(
        np.nan_to_num(ramp.elevation_m, nan=1.0), transform=ramp.transform, crs=ramp.crs
    )
    path = write_terrain(full, tmp_path / "dem.tif")
    again = open_terrain(path)
    np.testing.assert_array_equal(again.elevation_m, full.elevation_m)
    assert again.transform == full.transform and again.crs == full.crs
    with pytest.raises(OutputExistsError):
        write_terrain(full, path)
    write_terrain(full, path, overwrite=True)
    assert list(tmp_path.iterdir()) == [path]


def test_a_dem_already_on_a_metric_grid_is_read_without_resampling(tmp_path) -> None:
    rng = np.random.default_rng(3)
    elevation = rng.uniform(100, 3000, (60, 80)).astype(np.float32)  # rough: any resampling shows
    transform = Affine(30, 0, 380_010, 0, -30, 2_500_020)
    path = tmp_path / "utm.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=80,
        height=60,
        count=1,
        dtype="float32",
        crs="EPSG:32648",
        transform=transform,
    ) as dst:
        dst.write(elevation, 1)
    terrain = open_terrain(path)
    assert terrain.transform == transform and terrain.crs.to_epsg() == 32648
    np.testing.assert_array_equal(terrain.elevation_m, elevation)


def test_elevation_on_another_grid_takes_the_nearest_cell(ramp: Terrain) -> None:
    same = ramp.elevation_on(ramp.grid)
    assert same.dtype == np.float64
    np.testing.assert_array_equal(same, ramp.elevation_m)
    # 200 m cells from (1020, 4980): centres at x 1120, 1320, 1520 (outside the ramp), y 4880,
    # 4680, nearest to the ramp's cells (1, 1), (1, 3), (3, 1), (3, 3)
    coarse = Grid(ramp.crs, Affine(200, 0, 1020, 0, -200, 4980), (2, 3))
    np.testing.assert_array_equal(
        ramp.elevation_on(coarse), [[60.0, 80.0, np.nan], [160.0, 180.0, np.nan]]
    )
    # a grid in another CRS is sampled at its cell centres brought into the terrain's CRS
    lonlat_x, lonlat_y = transform_xy(ramp.crs, "EPSG:4326", [1250.0], [4850.0])
    step = 1e-5
    other = Grid(
        "EPSG:4326",
        Affine(step, 0, lonlat_x[0] - step / 2, 0, -step, lonlat_y[0] + step / 2),
        (1, 1),
    )
    assert ramp.elevation_on(other).tolist() == [[ramp.elevation_m[1, 2]]]
