"""Service-quality indicators: shares and errors by hand on synthetic drive-test points."""

from __future__ import annotations

import html
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from coverage.analysis import Analysis, analyse
from coverage.crs import transform_xy
from coverage.errors import CruderMethodWarning, UnusableRowsWarning
from coverage.io.communes import read_communes
from coverage.io.measurements import read_measurements
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers
from coverage.report import write_report
from coverage.report.quality import ALL_COMMUNES, quality_indicators

HOSTILE_OPERATOR = "Op <script>alert(1)</script>"
LEVELS = [-90.0, -108.0, -112.0, -130.0]  # Viettel 4G in Y Tý: two at or above -110 dBm


@pytest.fixture(scope="module")
def analysis(small_scenario: dict) -> Analysis:
    communes = read_communes(small_scenario["communes"])
    towers = read_towers(small_scenario["towers"])
    terrain = open_terrain(small_scenario["dem"])
    with pytest.warns(CruderMethodWarning):
        return analyse(communes, towers, terrain, population_column="dan_so", radius_m=4000)


def _cells_in(analysis: Analysis, commune: int, layer: int, n: int) -> list[tuple[int, int]]:
    """n cells with a predicted level of the layer, well inside one commune (by its centre)."""
    result = analysis.result
    shape = analysis.communes.to_crs(result.crs).geometry.iloc[commune].buffer(-200)
    found = []
    rows, cols = np.nonzero(np.isfinite(result.best_power_dbm[layer]))
    for r, c in zip(rows[::37], cols[::37], strict=True):
        x, y = result.grid.xy(r, c)
        if shape.contains(Point(float(x), float(y))):
            found.append((int(r), int(c)))
        if len(found) == n:
            return found
    raise AssertionError("not enough cells")


@pytest.fixture(scope="module")
def drive_test(analysis: Analysis, tmp_path_factory: pytest.TempPathFactory):
    """A drive test: 4 Viettel points in Y Tý, 2 MobiFone points in Mường Hum, 1 hostile
    operator's point there too, 1 point on the grid outside every commune, 1 far away,
    1 with a path loss only, 1 of an unknown technology."""
    result = analysis.result
    layers = result.layers.reset_index(drop=True)
    viettel = int(layers.index[(layers["operator"] == "Viettel")][0])
    mobifone = int(layers.index[(layers["operator"] == "MobiFone")][0])
    names = list(analysis.communes["name"])
    yty, muong_hum = names.index("Y Tý"), names.index("Mường Hum")
    rows = []
    expected = {}

    def add(cell, operator, level, technology="4G", loss=""):
        x, y = result.grid.xy(*cell)
        lon, lat = transform_xy(result.crs, "EPSG:4326", np.array([x]), np.array([y]))
        rows.append(f"{lat[0]:.7f},{lon[0]:.7f},{operator},{technology},{level},{loss}")

    viettel_cells = _cells_in(analysis, yty, viettel, 4)
    for cell, level in zip(viettel_cells, LEVELS, strict=True):
        add(cell, "Viettel", level)
    expected["viettel_predicted"] = [
        float(result.best_power_dbm[viettel][c]) for c in viettel_cells
    ]
    mobifone_cells = _cells_in(analysis, muong_hum, mobifone, 3)
    for cell, level in zip(mobifone_cells[:2], [-100.0, -111.0], strict=True):
        add(cell, "MobiFone", level)
    expected["mobifone_predicted"] = [
        float(result.best_power_dbm[mobifone][c]) for c in mobifone_cells[:2]
    ]
    add(mobifone_cells[2], f'"{HOSTILE_OPERATOR}"', -95.0)
    add((2, 2), "Viettel", -80.0)  # on the grid, in no commune
    rows.append("10.0,106.0,Viettel,4G,-70,")  # far away
    rows.append("10.0,106.0,Viettel,4G,-999,")  # a scanner without a fix: dropped when read
    add(viettel_cells[0], "Viettel", "", loss="120.5")  # a path loss only
    add(viettel_cells[1], "Viettel", -85.0, technology="")  # no technology: unknown
    path = tmp_path_factory.mktemp("drive") / "drive.csv"
    path.write_text(
        "lat,lon,operator,technology,level_dbm,loss_db\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return path, expected


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the technology-less row is reported, as it should
        return read_measurements(path)


def test_shares_and_errors_by_hand(analysis: Analysis, drive_test) -> None:
    path, expected = drive_test
    points = _read(path)
    found = quality_indicators(analysis, points)
    assert found.points == 11
    assert found.outside == 2 and found.no_level == 1 and found.no_threshold == 1
    assert found.dropped == {"implausible level": 1}
    table = found.table.set_index(["operator", "name"])
    assert int(table.loc[(slice(None), ALL_COMMUNES), "points"].sum()) + 4 == found.points
    row = table.loc[("Viettel", "Y Tý")]
    assert row["points"] == 4 and row["at_or_above"] == 2 and row["share_at_or_above"] == 0.5
    predicted = np.array(expected["viettel_predicted"])
    measured = np.array(LEVELS)
    assert row["compared"] == 4
    assert row["mean_error_db"] == pytest.approx(np.mean(predicted - measured), abs=1e-4)
    assert row["rmse_db"] == pytest.approx(
        math.sqrt(np.mean((predicted - measured) ** 2)), abs=1e-4
    )
    agree = np.mean((predicted >= -110) == (measured >= -110))
    assert row["agree_share"] == agree
    row = table.loc[("MobiFone", "Mường Hum")]
    assert row["points"] == 2 and row["at_or_above"] == 1 and row["share_at_or_above"] == 0.5
    mobi = np.array(expected["mobifone_predicted"])
    assert row["mean_error_db"] == pytest.approx(np.mean(mobi - [-100.0, -111.0]), abs=1e-4)
    # the hostile operator has no site: nothing predicted, so it agrees only where measured is off
    row = table.loc[(HOSTILE_OPERATOR, "Mường Hum")]
    assert row["points"] == 1 and row["at_or_above"] == 1 and row["agree_share"] == 0.0
    assert math.isnan(row["mean_error_db"])
    assert table.loc[("Viettel", ALL_COMMUNES), "points"] == 4
    assert found.thresholds == {"4G": -110.0}


def test_quality_section_in_the_report(analysis: Analysis, drive_test, tmp_path: Path) -> None:
    path, _ = drive_test
    with pytest.warns(UnusableRowsWarning, match="implausible level"):
        out = write_report(analysis, tmp_path / "r.html", lang="en", measurements=path)
    page = out.read_text(encoding="utf-8")
    section = page[page.index('id="quality"') : page.index('id="methods"')]
    assert "1 rows of the file were dropped when read" in section
    assert "Drive-test file: drive.csv; 11 points." in section
    assert "2 points lie outside every commune: not counted in the tables." in section
    assert "1 points have no received level" in section
    assert re.search(
        r"<td>Y Tý</td><td>Viettel</td><td class=\"n\">4</td><td class=\"n\">2</td>"
        r"<td class=\"n\">50.0 %</td>",
        section,
    )
    assert html.escape(HOSTILE_OPERATOR, quote=True) in section and "<script" not in page
    with pytest.warns(UnusableRowsWarning):
        vi = write_report(analysis, tmp_path / "vi.html", measurements=path)
    vi = vi.read_text(encoding="utf-8")
    assert "Chỉ tiêu chất lượng dịch vụ (đo kiểm)" in vi and "Mường Hum" in vi


def test_real_drive_test_file_outside_the_province(
    analysis: Analysis, measurements_dir: Path, tmp_path: Path
) -> None:
    # Recife (Brazil): the real file's format is read; every point is outside the communes
    path = measurements_dir / "recife_gsm1800.csv"
    points = read_measurements(path)
    found = quality_indicators(analysis, points)
    assert found.points == len(points) > 9000
    assert found.outside == found.points and found.table.empty
    out = write_report(analysis, tmp_path / "r.html", lang="en", measurements=path)
    section = out.read_text(encoding="utf-8")
    assert f"{found.points:,} points lie outside every commune" in section
    assert "No usable measured point in the communes." in section


def test_phusong_report_with_measurements(small_scenario: dict, drive_test, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coverage.cli import main

    path, _ = drive_test
    job = [
        "report", "--communes", small_scenario["communes"], "--dem", small_scenario["dem"],
        "--towers", small_scenario["towers"], "--population-column", "dan_so", "--radius", "4000",
        "--lang", "en",
    ]  # fmt: skip
    runner = CliRunner()
    done = runner.invoke(
        main, [*map(str, job), "--measurements", str(path), "--out", str(tmp_path / "r.html")]
    )
    assert done.exit_code == 0, done.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Service-quality indicators (drive test)" in page
    assert done.output.count("implausible level") == 1  # said once, not once per reading
    bad = runner.invoke(
        main,
        [*map(str, job), "--measurements", str(small_scenario["communes"]),
         "--out", str(tmp_path / "b.html")],
    )  # fmt: skip
    assert bad.exit_code != 0 and "measurement" in bad.output
    assert len(bad.output.strip().splitlines()) == 1, bad.output
    assert not (tmp_path / "b.html").exists()
