"""The `phusong` command line, end to end on small synthetic files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
import rasterio
from click.testing import CliRunner

from coverage.cli import main


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_help_lists_commands() -> None:
    out = _run("--help")
    for command in ("info", "viewshed", "predict", "itm-loss", "coverage", "gaps", "map", "demo"):
        assert command in out


def test_info_describes_each_kind(small_scenario: dict) -> None:
    assert "kind: towers" in _run("info", small_scenario["towers"])
    assert "kind: communes" in _run("info", small_scenario["communes"])
    raster = _run("info", small_scenario["dem"])
    assert "kind: raster" in raster and "EPSG:32648" in raster


def test_viewshed_one_band_per_site(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "vs.tif"
    sites = [f"{small_scenario['lon'][i]:.6f},{small_scenario['lat'][i]:.6f}" for i in range(2)]
    _run(
        "viewshed",
        "--dem",
        small_scenario["dem"],
        "--site",
        sites[0],
        "--site",
        sites[1],
        "--height",
        30,
        "--target-height",
        1.5,
        "--radius",
        2000,
        "--out",
        out,
    )
    with rasterio.open(out) as src:
        assert src.count == 2 and src.crs.to_epsg() == 32648 and src.nodata == 255
        band = src.read(1)
    assert set(np.unique(band)) <= {0, 1, 255} and (band == 1).sum() > 100
    again = CliRunner().invoke(
        main,
        [
            "viewshed",
            "--dem",
            str(small_scenario["dem"]),
            "--site",
            sites[0],
            "--radius",
            "2000",
            "--out",
            str(out),
        ],
    )
    assert again.exit_code == 2 and "--overwrite" in again.output  # refuses, file kept
    assert out.exists()


def test_predict_writes_float32_dbm(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "power.tif"
    site = f"{small_scenario['lon'][0]:.6f},{small_scenario['lat'][0]:.6f}"
    _run(
        "predict",
        "--dem",
        small_scenario["dem"],
        "--site",
        site,
        "--height",
        30,
        "--frequency",
        900,
        "--eirp",
        55,
        "--radius",
        3000,
        "--model",
        "diffraction",
        "--out",
        out,
    )
    with rasterio.open(out) as src:
        power = src.read(1)
        assert src.dtypes[0] == "float32"
    assert -200 < np.nanmin(power) < np.nanmax(power) < 55


def test_site_outside_dem_is_a_clear_error(small_scenario: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "predict",
            "--dem",
            str(small_scenario["dem"]),
            "--site",
            "105.9,21.0",
            "--radius",
            "3000",
            "--out",
            str(tmp_path / "x.tif"),
        ],
    )
    assert result.exit_code == 2 and "outside" in result.output
    assert not (tmp_path / "x.tif").exists()


def test_coverage_folder(small_scenario: dict, tmp_path: Path) -> None:
    out = _run(
        "coverage",
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--radius",
        4000,
        "--out",
        tmp_path / "cov",
    )
    assert "best_power_dbm.tif" in out
    with rasterio.open(tmp_path / "cov" / "best_power_dbm.tif") as src:
        assert src.count == 2 and src.descriptions == ("MobiFone 4G", "Viettel 4G")


def test_gaps_xlsx_reads_back_with_diacritics(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.xlsx"
    _run(
        "gaps",
        "--communes",
        small_scenario["communes"],
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--out",
        out,
    )
    book = openpyxl.load_workbook(out)
    assert {"summary", "all operators", "no operator", "Viettel", "MobiFone"} <= set(
        book.sheetnames
    )
    summary = book["summary"]
    header = [c.value for c in summary[1]]
    names = [row[header.index("name")] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert "Y Tý" in names and "Mường Hum" in names
    people = {
        row[header.index("name")]: row[header.index("population")]
        for row in summary.iter_rows(min_row=2, values_only=True)
    }
    assert people["Y Tý"] == pytest.approx(4000, rel=0.01)


def test_gaps_csv_has_bom(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    _run(
        "gaps",
        "--communes",
        small_scenario["communes"],
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--out",
        out,
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_map_offline_single_file(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    _run(
        "map",
        "--communes",
        small_scenario["communes"],
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--offline",
        "--synthetic",
        "terrain",
        "--commune",
        "Y Ty",
        "--out",
        out,
    )
    text = out.read_text(encoding="utf-8")
    assert '<script src="http' not in text
    assert "Y Tý" in text or "Y T\\u00fd" in text  # the focus commune's name, maybe JSON-escaped
