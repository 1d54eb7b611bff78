"""Result rasters are Cloud-Optimized GeoTIFFs: GDAL's own validator passes them, values unchanged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine

from coverage.io.rasters import overview_factors, write_coverage, write_geotiff

TRANSFORM = Affine(100, 0, 400_000, 0, -100, 2_500_000)
SYSTEM_PYTHON = Path("/usr/bin/python3")  # Debian's, where python3-gdal installs osgeo_utils
VALIDATOR = "osgeo_utils.samples.validate_cloud_optimized_geotiff"


def _validator_missing() -> str | None:
    if not SYSTEM_PYTHON.exists():
        return "no /usr/bin/python3 (Debian python3-gdal provides GDAL's COG validator)"
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", f"import {VALIDATOR}"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return "GDAL's COG validator is missing: install the Debian package python3-gdal"
    return None


def assert_valid_cog(path: Path) -> None:
    """GDAL's validate_cloud_optimized_geotiff finds no error (skip where it is missing)."""
    missing = _validator_missing()
    if missing:
        pytest.skip(missing)
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-m", VALIDATOR, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid cloud optimized GeoTIFF" in done.stdout


def test_float_raster_is_a_valid_cog_with_average_overviews_and_its_values(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    bands = rng.normal(-90, 10, (2, 600, 700)).astype(np.float32)
    bands[:, :100] = np.nan
    out = write_geotiff(
        tmp_path / "power.tif",
        bands,
        transform=TRANSFORM,
        crs="EPSG:32648",
        nodata=float("nan"),
        descriptions=["Viettel 4G", "<VinaPhone> & 2G"],
        tags={"calibration": "drive.json: -3 dB", "synthetic": "yes"},
    )
    assert_valid_cog(out)
    with rasterio.open(out) as src:
        np.testing.assert_array_equal(src.read(), bands)  # NaN where NaN, bit for bit
        assert src.descriptions == ("Viettel 4G", "<VinaPhone> & 2G")
        assert src.tags()["calibration"] == "drive.json: -3 dB"
        assert src.tags()["synthetic"] == "yes"
        assert np.isnan(src.nodata)
        assert src.compression.name.lower() == "zstd"
        assert src.block_shapes[0] == (256, 256) and src.overviews(1) == [2, 4]
        half = src.read(1, out_shape=(300, 350))  # the first overview
    block = bands[0, 200:202, 300:302].astype(np.float64)
    assert half[100, 150] == pytest.approx(block.mean(), rel=1e-6)  # averaged, not picked


def test_categorical_raster_overviews_pick_values_never_average_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    rows = rng.choice(np.array([-1, 3, 40, 500], dtype=np.int32), size=(1, 700, 700))
    out = write_geotiff(
        tmp_path / "serving.tif", rows, transform=TRANSFORM, crs="EPSG:32648", nodata=-1
    )
    assert_valid_cog(out)
    with rasterio.open(out) as src:
        np.testing.assert_array_equal(src.read(), rows)
        assert src.overviews(1) == [2, 4]
        for factor in (2, 4):
            small = src.read(1, out_shape=(700 // factor, 700 // factor), masked=False)
            assert set(np.unique(small)) <= {-1, 3, 40, 500}  # a site row, never a mean


def test_sparse_bands_stay_sparse_in_the_cog(tmp_path: Path) -> None:
    bands = np.full((3, 800, 800), 255, dtype=np.uint8)
    bands[1, 10:60, 10:60] = 1
    out = write_geotiff(
        tmp_path / "vs.tif",
        bands,
        transform=TRANSFORM,
        crs="EPSG:32648",
        nodata=255,
        windows=[(0, 0, 0, 0), (10, 10, 50, 50), (0, 0, 0, 0)],
    )
    assert_valid_cog(out)
    with rasterio.open(out) as src:
        np.testing.assert_array_equal(src.read(), bands)
        assert src.block_size(2, 0, 0) > 0
        with pytest.raises(rasterio.errors.RasterBlockError):  # only nodata: not stored
            src.block_size(1, 2, 2)


def test_small_raster_needs_no_overviews() -> None:
    assert overview_factors((256, 256)) == []
    assert overview_factors((257, 10)) == [2]
    assert overview_factors((1748, 1731)) == [2, 4, 8]


def test_coverage_folder_rasters_are_valid_cogs(tmp_path: Path) -> None:
    from coverage.grid import Grid
    from coverage.model import CoverageResult

    power = np.full((1, 300, 300), -80, np.float32)
    power[0, :, :50] = np.nan
    result = CoverageResult(
        power,
        np.zeros(power.shape, np.int32),
        pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110]}),
        np.zeros((300, 300), np.uint8),
        Grid("EPSG:32648", TRANSFORM, (300, 300)),
        gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"),
    )
    written = write_coverage(result, tmp_path / "cov")
    for path in written:
        if path.suffix == ".tif":
            assert_valid_cog(path)
