"""Bad elevation files end in one clear InputFileError/TerrainError naming the file, never a
traceback or a silently wrong terrain (issue 12, items 3 and 5)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner

from coverage.cli import main
from coverage.errors import CoverageError, InputFileError, TerrainError
from coverage.io.dem import open_native_dem
from coverage.io.describe import describe
from coverage.io.terrain import open_terrain

TRANSFORM = Affine(90.0, 0.0, 500_000.0, 0.0, -90.0, 2_500_000.0)


def _geotiff(path: Path, bands: np.ndarray, **extra: object) -> Path:
    bands = bands if bands.ndim == 3 else bands[None]
    profile = {
        "driver": "GTiff", "width": bands.shape[2], "height": bands.shape[1],
        "count": bands.shape[0], "dtype": bands.dtype, "crs": "EPSG:32648",
        "transform": TRANSFORM, **extra,
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(bands)
    return path


@pytest.fixture
def ground() -> np.ndarray:
    rows, cols = np.mgrid[0:40, 0:40]
    return (800.0 + 5.0 * rows + 3.0 * cols).astype(np.float32)


def _truncated(tmp_path: Path, ground: np.ndarray) -> Path:
    whole = _geotiff(tmp_path / "whole.tif", ground)
    cut = tmp_path / "truncated.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return cut


def _bad_files(tmp_path: Path, ground: np.ndarray) -> dict[str, Path]:
    garbage = tmp_path / "garbage.tif"
    garbage.write_bytes(bytes(range(256)) * 8)
    short_hgt = tmp_path / "N22E103.hgt"
    np.full((100, 100), 800, ">i2").tofile(short_hgt)
    not_zip = tmp_path / "N22E104.hgt.zip"
    not_zip.write_text("not a zip")
    short_zip = tmp_path / "N22E105.hgt.zip"
    with zipfile.ZipFile(short_zip, "w") as archive:
        archive.writestr("N22E105.hgt", b"\0" * 1000)
    return {
        "truncated": _truncated(tmp_path, ground),
        "garbage": garbage,
        "short_hgt": short_hgt,
        "not_zip": not_zip,
        "short_zip": short_zip,
    }


@pytest.mark.parametrize("kind", ["truncated", "garbage", "short_hgt", "not_zip", "short_zip"])
def test_unreadable_dem_is_an_input_file_error_naming_it(
    tmp_path: Path, ground: np.ndarray, kind: str
) -> None:
    path = _bad_files(tmp_path, ground)[kind]
    for reader in (open_terrain, open_native_dem, describe):
        with pytest.raises(InputFileError, match=path.name):
            reader(path)


@pytest.mark.parametrize("kind", ["truncated", "garbage", "short_hgt", "not_zip"])
def test_every_command_reports_an_unreadable_dem_on_one_line(
    tmp_path: Path, ground: np.ndarray, kind: str
) -> None:
    path = str(_bad_files(tmp_path, ground)[kind])
    site = ["--site", "105.0,22.6", "--radius", "1000"]
    runs = {
        "info": ["info", path],
        "viewshed": ["viewshed", "--dem", path, *site, "--out", str(tmp_path / "v.tif")],
        "predict": ["predict", "--dem", path, *site, "--out", str(tmp_path / "p.tif")],
        "itm-loss": ["itm-loss", "--dem", path, *site, "--out", str(tmp_path / "i.tif")],
    }
    for name, args in runs.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code != 0, name
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), (name, result.output)
        assert Path(path).name in lines[0] and "Traceback" not in result.output, name
        assert "a bug in phusong" not in lines[0], name


def test_undeclared_minus_9999_voids_are_never_read_as_terrain(
    tmp_path: Path, ground: np.ndarray
) -> None:
    holed = ground.copy()
    holed[10:12, 10:12] = -9999.0
    path = _geotiff(tmp_path / "voids.tif", holed)  # no nodata declared
    with pytest.warns(UserWarning, match="void"):
        terrain = open_terrain(path)
    assert terrain.void_mask[10:12, 10:12].all()
    assert np.nanmin(terrain.elevation_m) > 700.0  # filled from around, not -9999


def test_dem_in_centimetres_is_refused_with_the_fix(tmp_path: Path, ground: np.ndarray) -> None:
    path = _geotiff(tmp_path / "cm.tif", ground * 100.0)
    with pytest.raises(TerrainError, match=r"cm\.tif: elevations up to .*Centimetres"):
        open_terrain(path)
    assert "Centimetres" in describe(path)


def test_rgb_image_is_not_accepted_as_a_dem(tmp_path: Path, ground: np.ndarray) -> None:
    rgb = np.stack([(ground / 10).astype(np.uint8)] * 3)
    path = _geotiff(tmp_path / "photo.tif", rgb, photometric="RGB")
    with pytest.raises(InputFileError, match="3 bands"):
        open_terrain(path)


def test_info_exits_non_zero_on_a_file_it_cannot_use(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing useful\n")
    result = CliRunner().invoke(main, ["info", str(notes)])
    assert result.exit_code != 0 and "notes.txt" in result.output
    with pytest.raises(CoverageError):
        describe(notes)
