"""Gap-list files: Excel, CSV with BOM, GeoJSON, GeoPackage; atomic and marked."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from affine import Affine
from shapely.geometry import box

from coverage.errors import InputFileError, OutputExistsError, SchemaError
from coverage.gaps import commune_coverage, gap_polygons
from coverage.grid import Grid
from coverage.io.gaplists import write_gap_list
from coverage.io.population import population_on_grid
from coverage.model import CoverageResult

UTM48N = "EPSG:32648"
SEEDS = ["Y Tý", "Mường Hum", "Cốc Ly", "Tả Van Chư", "Lùng Phình"]


@pytest.fixture(scope="module")
def scenario():
    """Four 2 x 2 km communes in a row; Viettel covers the west, VNPT the centre."""
    transform = Affine(500, 0, 400_000, 0, -500, 2_500_000)
    shape = (4, 16)
    names = ["Y Tý", "Mường Hum", "Bảo Nhai", "Sa Pa"]
    communes = gpd.GeoDataFrame(
        {"commune_id": ["1", "2", "3", "4"], "name": names},
        geometry=[
            box(400_000 + 2000 * i, 2_498_000, 402_000 + 2000 * i, 2_500_000) for i in range(4)
        ],
        crs=UTM48N,
    )
    power = np.full((2, *shape), np.nan, dtype=np.float32)
    power[0, :, :4] = -70.0
    power[1, :, 6:10] = -80.0
    layers = pd.DataFrame(
        {"operator": ["Viettel", "VNPT"], "technology": ["4G", "4G"], "threshold_dbm": [-100.0] * 2}
    )
    towers = gpd.GeoDataFrame(
        {"site_id": ["V1", "N1"], "operator": ["Viettel", "VNPT"], "technology": ["4G", "4G"]},
        geometry=[shapely.Point(401_000, 2_499_000), shapely.Point(404_000, 2_499_000)],
        crs=UTM48N,
    )
    result = CoverageResult(
        power,
        np.zeros(power.shape, np.int32),
        layers,
        np.zeros(shape, np.uint8),
        Grid(UTM48N, transform, shape),
        towers,
    )
    people = np.arange(64, dtype=float).reshape(shape) + 0.5
    population = population_on_grid(
        people,
        source_transform=transform,
        source_crs=UTM48N,
        grid=Grid(UTM48N, transform, shape),
    )
    gaps = pd.concat(
        [
            gap_polygons(result, communes=communes, population=population, operator=op)
            for op in (None, "Viettel", "VNPT")
        ],
        ignore_index=True,
    )
    summary = commune_coverage(communes, result, population=population)
    return gpd.GeoDataFrame(gaps, geometry="geometry", crs=UTM48N), summary


def test_excel_reads_back_with_numbers_and_diacritics(scenario, tmp_path) -> None:
    gaps, summary = scenario
    path = write_gap_list(gaps, summary, tmp_path / "gaps.xlsx", communes_of_interest=SEEDS)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["summary", "all operators", "no operator", "Viettel", "VNPT"]
    sheet = book["Viettel"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    assert "geometry" not in header and "of_interest" in header
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    expected = gaps[gaps["operator"] == "Viettel"].sort_values("people", ascending=False)
    assert [r["commune_name"] for r in rows] == expected["commune_name"].tolist()
    assert [r["people"] for r in rows] == pytest.approx(expected["people"].tolist())
    # numeric cells (openpyxl reads a whole number back as int), never text
    assert all(isinstance(r[c], int | float) for r in rows for c in ("people", "rank", "area_km2"))
    names = {r["commune_name"] for r in rows}
    assert {"Mường Hum", "Bảo Nhai"} <= names  # diacritics unbroken
    interest = {r["commune_name"]: r["of_interest"] for r in rows}
    assert interest["Mường Hum"] is True and interest["Sa Pa"] is False
    assert interest["Bảo Nhai"] is True  # Cốc Ly became part of Bảo Nhai in 2025
    all_ops = book["all operators"]
    people_column = [c.value for c in all_ops[1]].index("people")
    values = [row[people_column].value for row in all_ops.iter_rows(min_row=2)]
    assert len(values) == len(gaps) and values == sorted(values, reverse=True)
    summary_sheet = book["summary"]
    summary_header = [c.value for c in summary_sheet[1]]
    first = {h: c.value for h, c in zip(summary_header, summary_sheet[2], strict=True)}
    assert first["name"] == "Y Tý" and first["of_interest"] is True
    assert first["population"] == pytest.approx(summary.loc[0, "population"])


def test_csv_has_a_bom_and_one_operator_column(scenario, tmp_path) -> None:
    gaps, summary = scenario
    path = write_gap_list(gaps, summary, tmp_path / "gaps.csv", communes_of_interest=SEEDS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Mường Hum".encode() in raw and "Y Tý".encode() in raw
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back.columns[0] != "\ufeffgap_id" and "operator" in back.columns
    assert sorted(back["operator"].unique()) == ["VNPT", "Viettel", "no operator"]
    assert back["people"].sum() == pytest.approx(gaps["people"].sum())


def test_geojson_is_wgs84(scenario, tmp_path) -> None:
    gaps, _ = scenario
    path = write_gap_list(gaps, None, tmp_path / "gaps.geojson")
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326 and len(back) == len(gaps)
    assert not back["of_interest"].any()  # no communes of interest given
    assert back["commune_name"].isin(["Y Tý", "Mường Hum", "Bảo Nhai", "Sa Pa"]).all()


def test_geopackage_has_a_layer_per_operator(scenario, tmp_path) -> None:
    gaps, summary = scenario
    path = write_gap_list(gaps, summary, tmp_path / "gaps.gpkg")
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert sorted(layers) == ["VNPT", "Viettel", "no operator", "summary"]
    viettel = gpd.read_file(path, layer="Viettel")
    assert viettel.crs.to_epsg() == 32648
    assert len(viettel) == int((gaps["operator"] == "Viettel").sum())


def test_existing_file_and_bad_inputs_leave_nothing_half_written(scenario, tmp_path) -> None:
    gaps, summary = scenario
    path = tmp_path / "gaps.xlsx"
    path.write_text("keep me")
    with pytest.raises(OutputExistsError, match="overwrite"):
        write_gap_list(gaps, summary, path)
    assert path.read_text() == "keep me"
    write_gap_list(gaps, summary, path, overwrite=True)
    assert openpyxl.load_workbook(path).sheetnames[0] == "summary"
    with pytest.raises(InputFileError, match=r"\.shp"):
        write_gap_list(gaps, summary, tmp_path / "gaps.shp")
    plain = pd.DataFrame(gaps.drop(columns="geometry"))
    with pytest.raises(SchemaError, match="no geometry"):
        write_gap_list(plain, None, tmp_path / "plain.geojson")
    with pytest.raises(SchemaError, match="'operator'"):
        write_gap_list(plain.drop(columns="operator"), None, tmp_path / "plain.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gaps.xlsx"]


def test_a_mapping_of_operators_is_accepted(scenario, tmp_path) -> None:
    gaps, _ = scenario
    by_operator = {op: part.drop(columns="operator") for op, part in gaps.groupby("operator")}
    path = write_gap_list(by_operator, None, tmp_path / "gaps.csv")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["operator"].value_counts().to_dict() == gaps["operator"].value_counts().to_dict()


def _renamed(gaps: gpd.GeoDataFrame, old: str, new: str) -> gpd.GeoDataFrame:
    out = gaps.copy()
    out["operator"] = out["operator"].replace(old, new)
    return out


def test_an_operator_named_summary_does_not_collide_with_the_summary(scenario, tmp_path) -> None:
    gaps, summary = scenario
    renamed = _renamed(gaps, "Viettel", "summary")
    gpkg = write_gap_list(renamed, summary, tmp_path / "gaps.gpkg")
    layers = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert sorted(layers) == sorted(["no operator", "operator summary", "VNPT", "summary"])
    assert "commune_id" in gpd.read_file(gpkg, layer="summary").columns
    assert (gpd.read_file(gpkg, layer="operator summary")["operator"] == "summary").all()
    book = openpyxl.load_workbook(write_gap_list(renamed, summary, tmp_path / "gaps.xlsx"))
    assert book.sheetnames == [
        "summary",
        "all operators",
        "no operator",
        "operator summary",
        "VNPT",
    ]
    renamed = _renamed(gaps, "Viettel", "All Operators")
    layers = [n for n, _ in pyogrio.list_layers(write_gap_list(renamed, None, tmp_path / "a.gpkg"))]
    assert "operator All Operators" in layers


def test_an_operator_named_no_operator_is_refused(scenario) -> None:
    from coverage.analysis import analyse
    from coverage.gaps import check_operator_names

    with pytest.raises(SchemaError, match="reserved for the places no operator covers"):
        check_operator_names(["Viettel", "No Operator"])
    towers = gpd.GeoDataFrame({"operator": ["no operator"]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(SchemaError, match="'no operator' is reserved"):
        analyse(scenario[1], towers, terrain=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv", ".xlsx"])
def test_identical_runs_write_identical_bytes(scenario, tmp_path, suffix) -> None:
    gaps, summary = scenario
    first = write_gap_list(gaps, summary, tmp_path / "a" / f"gaps{suffix}")
    second = write_gap_list(gaps, summary, tmp_path / "b" / f"gaps{suffix}")
    assert first.read_bytes() == second.read_bytes()
