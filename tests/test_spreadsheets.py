"""Hostile text never becomes a live formula in any CSV or XLSX phusong writes (issue 12, item 7)."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, box

from coverage.io.gaplists import write_gap_list
from coverage.io.spreadsheets import FORMULA_TRIGGERS, csv_safe
from coverage.io.towers import towers_from_frame, write_towers

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=2+2"]  # fmt: skip


def _hostile_gaps() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    gaps = gpd.GeoDataFrame(
        {
            "operator": [f"op{i}" for i in range(len(HOSTILE))],
            "commune_name": HOSTILE,
            "people": [100.0 - i for i in range(len(HOSTILE))],
            "area_km2": [1.0] * len(HOSTILE),
        },
        geometry=[
            box(400_000 + 10 * i, 2_500_000, 400_005 + 10 * i, 2_500_005)
            for i in range(len(HOSTILE))
        ],  # fmt: skip
        crs="EPSG:32648",
    )
    summary = pd.DataFrame({"name": HOSTILE, "population": [1000.0] * len(HOSTILE)})
    return gaps, summary


def _xlsx_cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def _assert_no_formula(path: Path) -> None:
    cells = _xlsx_cells(path)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value.strip() for c in cells if isinstance(c.value, str)}
    assert {h.strip() for h in HOSTILE} <= texts  # shown as written


def _assert_csv_defused(path: Path) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    for hostile in HOSTILE:  # the tower reader strips the blanks around an id
        assert {"'" + hostile, "'" + hostile.strip()} & set(cells), hostile


def test_gap_list_xlsx_stores_formula_like_names_as_text(tmp_path: Path) -> None:
    gaps, summary = _hostile_gaps()
    _assert_no_formula(write_gap_list(gaps, summary, tmp_path / "gaps.xlsx"))


def test_gap_list_csv_quotes_formula_like_names(tmp_path: Path) -> None:
    gaps, summary = _hostile_gaps()
    _assert_csv_defused(write_gap_list(gaps, summary, tmp_path / "gaps.csv"))


@pytest.fixture
def hostile_towers() -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "site_id": HOSTILE,
            "operator": ["Viettel"] * len(HOSTILE),
            "lon": [103.5 + 0.01 * i for i in range(len(HOSTILE))],
            "lat": [22.5] * len(HOSTILE),
            "technology": "4G",
            "frequency_mhz": 1800.0,
            "antenna_height_m": 30.0,
            "eirp_dbm": 60.0,
            "beamwidth_deg": 360.0,
            "tilt_deg": 0.0,
        }
    )
    geometry = [Point(x, y) for x, y in zip(frame["lon"], frame["lat"], strict=True)]
    return towers_from_frame(gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326"))


def test_tower_list_xlsx_stores_formula_like_ids_as_text(
    hostile_towers: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    _assert_no_formula(write_towers(hostile_towers, tmp_path / "towers.xlsx"))


def test_tower_list_csv_quotes_formula_like_ids(
    hostile_towers: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    _assert_csv_defused(write_towers(hostile_towers, tmp_path / "towers.csv"))


def test_numbers_are_never_quoted() -> None:
    frame = pd.DataFrame({"dbm": [-105.0, -80.5], "name": ["-", "Sa Pa"]})
    assert csv_safe(frame).to_dict("list") == {"dbm": [-105.0, -80.5], "name": ["'-", "Sa Pa"]}


def test_a_workbook_saved_in_another_second_has_the_same_bytes(tmp_path, monkeypatch) -> None:
    """openpyxl stamps the clock into docProps/core.xml on save; the saved file must not."""
    import datetime

    import openpyxl
    from openpyxl.writer import excel

    from coverage.io.spreadsheets import save_workbook

    class Clock(datetime.datetime):
        offset = 0

        @classmethod
        def now(cls, tz=None):  # a later second at each save
            cls.offset += 1
            return datetime.datetime(2030, 1, 1, 0, 0, cls.offset, tzinfo=tz)

    monkeypatch.setattr(excel.datetime, "datetime", Clock)
    paths = []
    for name in ("a.xlsx", "b.xlsx"):
        workbook = openpyxl.Workbook()
        workbook.active.append(["x", 1])
        save_workbook(workbook, tmp_path / name)
        paths.append(tmp_path / name)
    assert paths[0].read_bytes() == paths[1].read_bytes()
