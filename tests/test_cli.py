"""The `phusong` command line, end to end on small synthetic files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from shapely.geometry import box

from coverage.cli import main
from coverage.crs import transform_xy

ORIGIN_X, ORIGIN_Y, CELL, SIZE = 380_000.0, 2_520_000.0, 60.0, 300  # 18 km square, UTM 48N


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenario")
    rng = np.random.default_rng(7)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    elevation = (
        800 + 400 * np.sin(cols / 25.0) * np.cos(rows / 31.0) + rng.normal(0, 5, (SIZE, SIZE))
    )
    dem = folder / "dem.tif"
    with rasterio.open(
        dem,
        "w",
        driver="GTiff",
        width=SIZE,
        height=SIZE,
        count=1,
        dtype="float32",
        crs="EPSG:32648",
        transform=Affine(CELL, 0, ORIGIN_X, 0, -CELL, ORIGIN_Y),
    ) as dst:
        dst.write(elevation.astype("float32"), 1)
    half, inset = 6000.0, 3000.0  # four 6 km communes in the middle
    cells = [
        box(
            ORIGIN_X + inset + i * half,
            ORIGIN_Y - inset - (j + 1) * half,
            ORIGIN_X + inset + (i + 1) * half,
            ORIGIN_Y - inset - j * half,
        )
        for j in range(2)
        for i in range(2)
    ]
    communes = gpd.GeoDataFrame(
        {
            "ma_xa": ["001", "002", "003", "004"],
            "ten_xa": ["Y Tý", "A Mú Sung", "Mường Hum", "Bát Xát"],
            "dan_so": [4000, 3000, 5000, 9000],
        },
        geometry=cells,
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")
    communes_path = folder / "communes.geojson"
    communes.to_file(communes_path)
    xs = ORIGIN_X + np.array([7000.0, 11000.0, 9000.0])
    ys = ORIGIN_Y - np.array([7500.0, 8000.0, 12000.0])
    lon, lat = transform_xy("EPSG:32648", "EPSG:4326", xs, ys)
    towers = folder / "towers.csv"
    towers.write_text(
        "Mã trạm,Nhà mạng,Kinh độ,Vĩ độ,Độ cao anten,Công nghệ,Tần số (MHz),EIRP (dBm),Hướng (độ),Độ rộng búp sóng,Góc nghiêng\n"
        + "".join(
            f"S{i},{op},{lo:.6f},{la:.6f},30,4G,1800,60,,360,0\n"
            for i, (op, lo, la) in enumerate(
                zip(["Viettel", "Viettel", "MobiFone"], lon, lat, strict=True)
            )
        ),
        encoding="utf-8",
    )
    return {"dem": dem, "communes": communes_path, "towers": towers, "lon": lon, "lat": lat}


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_help_lists_commands() -> None:
    out = _run("--help")
    for command in ("info", "viewshed", "predict", "coverage", "gaps", "map", "demo"):
        assert command in out


def test_info_describes_each_kind(scenario: dict) -> None:
    assert "kind: towers" in _run("info", scenario["towers"])
    assert "kind: communes" in _run("info", scenario["communes"])
    raster = _run("info", scenario["dem"])
    assert "kind: raster" in raster and "EPSG:32648" in raster


def test_viewshed_one_band_per_site(scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "vs.tif"
    sites = [f"{scenario['lon'][i]:.6f},{scenario['lat'][i]:.6f}" for i in range(2)]
    _run(
        "viewshed",
        "--dem",
        scenario["dem"],
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
            str(scenario["dem"]),
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


def test_predict_writes_float32_dbm(scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "power.tif"
    site = f"{scenario['lon'][0]:.6f},{scenario['lat'][0]:.6f}"
    _run(
        "predict",
        "--dem",
        scenario["dem"],
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


def test_site_outside_dem_is_a_clear_error(scenario: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "predict",
            "--dem",
            str(scenario["dem"]),
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


def test_coverage_folder(scenario: dict, tmp_path: Path) -> None:
    out = _run(
        "coverage",
        "--towers",
        scenario["towers"],
        "--dem",
        scenario["dem"],
        "--radius",
        4000,
        "--out",
        tmp_path / "cov",
    )
    assert "best_power_dbm.tif" in out
    with rasterio.open(tmp_path / "cov" / "best_power_dbm.tif") as src:
        assert src.count == 2 and src.descriptions == ("MobiFone 4G", "Viettel 4G")


def test_gaps_xlsx_reads_back_with_diacritics(scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.xlsx"
    _run(
        "gaps",
        "--communes",
        scenario["communes"],
        "--towers",
        scenario["towers"],
        "--dem",
        scenario["dem"],
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


def test_gaps_csv_has_bom(scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    _run(
        "gaps",
        "--communes",
        scenario["communes"],
        "--towers",
        scenario["towers"],
        "--dem",
        scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--out",
        out,
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_map_offline_single_file(scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    _run(
        "map",
        "--communes",
        scenario["communes"],
        "--towers",
        scenario["towers"],
        "--dem",
        scenario["dem"],
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
