"""Planning, input/output, report and map errors in the caller's language.

Each error, warning and note below is raised through the public API twice: in English (the
default), where its text is word for word the one the library always wrote, and inside
``coverage.i18n.language("vi")``, where it is Vietnamese (with diacritics) and names the
same file, row, option or value.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from affine import Affine
from shapely.geometry import Point, box

from coverage.errors import (
    CoverageError,
    InputFileError,
    PlanningError,
    SchemaError,
    TerrainError,
    UnusableRowsWarning,
)
from coverage.i18n import current_language, language
from coverage.terrain import Terrain

CRS = "EPSG:32648"
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
OPTIONS = {"radius_m": 2_500.0, "population_column": "people"}

pytestmark = [
    pytest.mark.filterwarnings("ignore::coverage.errors.DemEdgeWarning"),
    pytest.mark.filterwarnings("ignore::coverage.errors.CruderMethodWarning"),
]


def _both(call: Callable[[], object], error: type[BaseException]) -> tuple[str, str]:
    """(English text, Vietnamese text) of the error ``call`` raises."""
    with pytest.raises(error) as english:
        call()
    with language("vi"), pytest.raises(error) as vietnamese:
        call()
    assert current_language() == "en"
    return str(english.value), str(vietnamese.value)


def _vietnamese(text: str, *shared: str) -> None:
    """Vietnamese (diacritics), naming every one of ``shared`` (a file, value, option)."""
    assert VIETNAMESE & set(text.lower()), text
    for part in shared:
        assert part in text, (part, text)


@pytest.fixture
def terrain() -> Terrain:
    rows, cols = np.mgrid[0:80, 0:80]
    hills = 300 + 120 * np.sin(rows / 9.0) * np.cos(cols / 11.0)
    return Terrain.from_array(hills, transform=Affine(100, 0, 400_000, 0, -100, 2_508_000), crs=CRS)


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Y Tý", "Sa Pa"], "people": [4_000.0, 6_000.0]},
        geometry=[box(400_500, 2_500_500, 404_000, 2_507_500), box(404_000, 2_500_500, 407_500, 2_507_500)],
        crs=CRS,
    )  # fmt: skip


@pytest.fixture
def towers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["V1", "M1", "M2"], "operator": ["Viettel", "MobiFone", "MobiFone"],
         "technology": ["4G"] * 3, "frequency_mhz": [1800.0] * 3,
         "antenna_height_m": [30.0, 35.0, 25.0], "eirp_dbm": [45.0] * 3,
         "azimuth_deg": [np.nan] * 3, "beamwidth_deg": [360.0] * 3, "tilt_deg": [3.0] * 3},
        geometry=gpd.points_from_xy([401_550, 405_050, 402_050], [2_506_450, 2_501_550, 2_502_050]),
        crs=CRS,
    )  # fmt: skip


def _sites(rows: list[tuple[str, str, float]]) -> gpd.GeoDataFrame:
    """(site_id, operator, antenna height) rows, 1 km apart on the terrain's middle row."""
    return gpd.GeoDataFrame(
        {"site_id": [r[0] for r in rows], "operator": [r[1] for r in rows],
         "antenna_height_m": [r[2] for r in rows]},
        geometry=[Point(401_050 + 1_000 * i, 2_504_050) for i in range(len(rows))],
        crs=CRS,
    )  # fmt: skip


# ------------------------------------------------------------------------------ planning


def test_plan_options(communes, towers, terrain) -> None:
    from coverage.planning.plan import plan_sites

    def plan(**options: object) -> object:
        return plan_sites(communes, towers, terrain, **{**OPTIONS, **options})

    english, vietnamese = _both(
        lambda: plan(operator="Viettel", shared=True, sites=1), PlanningError
    )
    assert english == "give operator=... or shared=True, not both."
    _vietnamese(vietnamese, "operator=...", "shared=True")
    english, vietnamese = _both(lambda: plan(sites=1, solver="simplex"), PlanningError)
    assert english == "solver must be 'greedy' or 'ilp', got 'simplex'."
    _vietnamese(vietnamese, "'greedy'", "'ilp'", "'simplex'")
    english, vietnamese = _both(lambda: plan(sites=2, technology="6G"), PlanningError)
    assert english.startswith("unknown technology '6G'; one of [")
    _vietnamese(vietnamese, "'6G'", english.split("one of ")[1].rstrip("."))
    assert plan(operator="Viettel", sites=0).notes == [
        "a budget of 0 sites or 0 money: nothing can be built."
    ]
    with language("vi"):
        _vietnamese(plan(operator="Viettel", sites=0).notes[0], "0")


def test_plan_notes_and_solver_statement(communes, towers, terrain) -> None:
    from coverage.planning.plan import plan_sites

    def plan() -> object:
        return plan_sites(communes, towers, terrain, operator="Viettel", sites=1,
                          terrain_search=False, **OPTIONS)  # fmt: skip

    english = plan()
    assert english.notes[0] == "2 candidates: 2 co-location"
    statement = english.statements()["Viettel"]
    assert re.fullmatch(
        r"lazy greedy \(CELF\): [\d,]+ people; proven at most [\d.]+ % below the optimum "
        r"\(bound [\d,]+\); done, [\d.]+ s",
        statement,
    ), statement
    with language("vi"):
        vietnamese = plan()
        said = vietnamese.statements()["Viettel"]
    _vietnamese(vietnamese.notes[0], "2 ", "co-location")
    _vietnamese(said, "CELF", statement.split(": ")[1].split(" ")[0])
    assert said != statement


def test_solvers_and_costs(tmp_path: Path) -> None:
    from coverage.planning.costs import read_cost_table
    from coverage.planning.solvers import greedy_cover

    matrix = sp.csr_array(np.eye(3))
    english, vietnamese = _both(lambda: greedy_cover(matrix, np.ones(2), sites=1), PlanningError)
    assert english == "2 weights for 3 demand rows: give one per row."
    _vietnamese(vietnamese, "2 ", " 3 ")
    table = tmp_path / "costs.csv"
    table.write_text("kind,cost\nnew,about 100k\n", encoding="utf-8")
    english, vietnamese = _both(lambda: read_cost_table(table), PlanningError)
    assert english == (
        f"cost table {table}, row 2: cost 'about 100k' is not a non-negative number; write the "
        "amount alone (no currency, no formula), e.g. 100000."
    )
    _vietnamese(vietnamese, str(table), "dòng 2", "'about 100k'", "100000")


def test_backhaul_inputs(terrain) -> None:
    from coverage.planning.backhaul import backhaul_links
    from coverage.planning.links import plan_links

    sites, masts = _sites([("NEW-1", "Viettel", 30.0)]), _sites([("VT-1", "Viettel", 30.0)])
    english, vietnamese = _both(
        lambda: backhaul_links(sites, terrain, masts=masts, max_hop_m=0), SchemaError
    )
    assert english == "backhaul: max_hop_m must be a positive number, got 0."
    _vietnamese(vietnamese, "max_hop_m", " 0.")
    low = _sites([("NEW-1", "Viettel", -5.0)])
    english, vietnamese = _both(lambda: backhaul_links(low, terrain, masts=masts), SchemaError)
    assert english.startswith(
        "backhaul: 1 of the sites have a missing or negative 'antenna_height_m': NEW-1 (-5.0)."
    )
    _vietnamese(vietnamese, "'antenna_height_m'", "NEW-1 (-5.0)", "các vị trí")
    english, vietnamese = _both(lambda: backhaul_links(sites, terrain), SchemaError)
    assert english.startswith("backhaul: no partner to link to; give existing masts (masts=")
    _vietnamese(vietnamese, "masts=", "fibre=")
    english, vietnamese = _both(
        lambda: plan_links(sites, terrain, operator="Viettel", masts=masts.iloc[:0], fibre=None,
                           max_hop_m=30_000),
        PlanningError,
    )  # fmt: skip
    assert english.startswith("backhaul: no existing mast and no fibre point to link the proposed")
    _vietnamese(vietnamese, "fibre=...", "--fibre FILE")


def test_candidates_and_matrix(terrain) -> None:
    from coverage.planning.candidates import terrain_candidates
    from coverage.planning.matrix import coarse_terrain

    english, vietnamese = _both(
        lambda: terrain_candidates(terrain, np.ones((3, 3), dtype=bool)), PlanningError
    )
    assert english == "demand mask (3, 3) is not on the terrain grid (80, 80)."
    _vietnamese(vietnamese, "(3, 3)", "(80, 80)")
    english, vietnamese = _both(lambda: coarse_terrain(terrain, 0), ValueError)
    assert english == "coarsening factor must be >= 1, got 0"
    _vietnamese(vietnamese, ">= 1", " 0")


# ------------------------------------------------------------------------------ io


def test_coordinates() -> None:
    from coverage.io.coordinates import parse_angle

    english, vietnamese = _both(lambda: parse_angle("22°75'", axis="lat"), ValueError)
    assert english == "minutes and seconds must be below 60"
    _vietnamese(vietnamese, "60")
    english, vietnamese = _both(lambda: parse_angle("104°E", axis="lat"), ValueError)
    assert english == "a longitude (E/W) in the latitude column: lon/lat swapped (swap_xy=True)?"
    _vietnamese(vietnamese, "(E/W)", "swap_xy=True")


def test_towers_out_of_range_and_options(tmp_path: Path) -> None:
    from coverage.io.towers import read_towers, towers_from_frame

    frame = pd.DataFrame({"site_id": ["A"], "operator": ["Viettel"], "technology": ["4G"],
                          "lon": [22.4], "lat": [103.9]})  # fmt: skip
    english, vietnamese = _both(lambda: towers_from_frame(frame, source="t.csv"), SchemaError)
    assert english == (
        "t.csv: 1 tower(s) have a latitude beyond ±90° or a longitude beyond ±180°: "
        "row 2 (x=22.4 in 'lon', y=103.9 in 'lat'). Longitude and latitude look swapped: rename "
        "the columns, or pass swap_xy=True to read_towers."
    )
    _vietnamese(vietnamese, "t.csv", "dòng 2 (x=22.4", "'lon'", "±90°", "swap_xy=True")
    path = tmp_path / "towers.csv"
    frame.assign(lon=[103.9], lat=[22.4]).to_csv(path, index=False)
    english, vietnamese = _both(lambda: read_towers(path, on_duplicate="drop"), ValueError)
    assert english == "on_duplicate must be 'error' or 'suffix', not 'drop'"
    _vietnamese(vietnamese, "on_duplicate", "'drop'")


def test_defaults_warning_and_row_labels(tmp_path: Path) -> None:
    from coverage.errors import DefaultsUsedWarning
    from coverage.io.towers import read_towers

    path = tmp_path / "towers.csv"
    path.write_text("site_id,lon,lat\nA,103.9,22.4\n", encoding="utf-8")
    with pytest.warns(DefaultsUsedWarning) as english:
        read_towers(path)
    with language("vi"), pytest.warns(DefaultsUsedWarning) as vietnamese:
        read_towers(path)
    text = str(english[0].message)
    assert text.startswith(f"tower file {path}: 1 tower row(s); empty values filled with")
    assert "pass defaults={...} to read_towers" in text
    _vietnamese(str(vietnamese[0].message), str(path), "defaults={...}", "read_towers")


def test_gap_lists_proposals_and_fibre(tmp_path: Path) -> None:
    from coverage.io.fibre import fibre_points_from_frame
    from coverage.io.gaplists import write_gap_list
    from coverage.io.proposals import write_proposals

    out = tmp_path / "gaps.txt"
    english, vietnamese = _both(lambda: write_gap_list({}, None, out), InputFileError)
    assert english.startswith(f"cannot write a gap list to {out}: unknown suffix '.txt'; use one")
    _vietnamese(vietnamese, str(out), "'.txt'", english.split("use one of ")[1].rstrip("."))
    english, vietnamese = _both(
        lambda: write_proposals(gpd.GeoDataFrame(geometry=[]), tmp_path / "p.txt"), InputFileError
    )
    assert english.startswith(f"cannot write proposals to {tmp_path / 'p.txt'}: use one of ")
    _vietnamese(vietnamese, str(tmp_path / "p.txt"))
    english, vietnamese = _both(
        lambda: fibre_points_from_frame(pd.DataFrame({"a": [1]}), source="f.csv"), SchemaError
    )
    assert english.startswith("f.csv: no coordinate columns found among a. Name them lon/lat (or ")
    _vietnamese(vietnamese, "f.csv", "lon/lat")


def test_terrain_describe_communes(small_scenario: dict, tmp_path: Path) -> None:
    from coverage.io.communes import communes_from_frame
    from coverage.io.describe import describe
    from coverage.io.terrain import open_terrain

    english, vietnamese = _both(
        lambda: open_terrain(small_scenario["dem"], max_fill_distance_cells=-1), TerrainError
    )
    assert english == "max_fill_distance_cells must be >= 0, got -1."
    _vietnamese(vietnamese, "max_fill_distance_cells", "-1")
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00 not really a tiff")
    english, vietnamese = _both(lambda: describe(broken), InputFileError)
    assert english.startswith(f"{broken} cannot be read as a raster (")
    assert english.endswith(
        "it is truncated, damaged or not a raster. Export or download it again."
    )
    _vietnamese(vietnamese, str(broken), "raster")
    english, vietnamese = _both(lambda: communes_from_frame(pd.DataFrame()), TypeError)
    assert english.startswith("communes table: communes must be a GeoDataFrame of polygons, not ")
    _vietnamese(vietnamese, "GeoDataFrame", "DataFrame", "read_communes")


def test_measurement_rows_left_out() -> None:
    from coverage.io.measurements import measurements_from_frame

    frame = pd.DataFrame({"lon": [103.9, np.nan], "lat": [22.4, np.nan], "rsrp": [-90.0, -95.0],
                          "operator": ["Viettel"] * 2, "technology": ["4G"] * 2})  # fmt: skip
    with pytest.warns(UnusableRowsWarning) as english:
        measurements_from_frame(frame, source="drive.csv")
    with language("vi"), pytest.warns(UnusableRowsWarning) as vietnamese:
        points = measurements_from_frame(frame, source="drive.csv")
    assert str(english[0].message) == (
        "drive.csv: 1 of 2 row(s) cannot be used and are left out - no position: 1 (row 3). "
        "The full list is in the result's attrs['dropped']."
    )
    _vietnamese(str(vietnamese[0].message), "drive.csv", "dòng 3", "attrs['dropped']")
    assert list(points.attrs["dropped"]) == ["no position"]  # keys stay the documented ones


def test_log_lines_follow_the_language(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from coverage.io.gaplists import write_gap_list

    gaps = pd.DataFrame({"operator": ["Viettel"], "people": [10.0], "area_km2": [1.0]})
    with caplog.at_level(logging.INFO, logger="coverage.io.gaplists"):
        write_gap_list(gaps, None, tmp_path / "en.csv")
        with language("vi"):
            write_gap_list(gaps, None, tmp_path / "vi.csv")
    lines = [r.getMessage() for r in caplog.records if "en.csv" in r.getMessage()]
    assert lines == [f"wrote 1 gap rows to {tmp_path / 'en.csv'}"]
    said = [r.getMessage() for r in caplog.records if "vi.csv" in r.getMessage()]
    _vietnamese(said[0], str(tmp_path / "vi.csv"), " 1 ")


# ------------------------------------------------------------------------------ report, render


def test_report_inputs(small_scenario: dict, tmp_path: Path) -> None:
    from coverage.report.build import write_report
    from coverage.report.plan import read_plan
    from coverage.report.runs import load_run

    english, vietnamese = _both(lambda: write_report(None, tmp_path / "r.docx"), SchemaError)
    assert english == (
        f"{tmp_path / 'r.docx'}: a report is written as .html or .pdf; name the output "
        "report.html or report.pdf (--out)."
    )
    _vietnamese(vietnamese, str(tmp_path / "r.docx"), ".html", ".pdf", "--out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        english, vietnamese = _both(lambda: read_plan(small_scenario["towers"]), SchemaError)
    assert "not a plan from `phusong plan`: no column plan, rank" in english
    _vietnamese(vietnamese, str(small_scenario["towers"]), "`phusong plan --out`", "plan, rank")
    (tmp_path / "run.json").write_text('{"format": "other"}', encoding="utf-8")
    english, vietnamese = _both(lambda: load_run(tmp_path), InputFileError)
    assert english == (
        f"{tmp_path} is not a run saved by phusong report --save-run (format 'other', not "
        "'phusong-run/1'); give the folder that --save-run wrote."
    )
    _vietnamese(vietnamese, str(tmp_path), "--save-run", "'other'", "'phusong-run/1'")


def test_report_command_speaks_its_language(small_scenario: dict, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coverage.cli import main

    job = [
        "report", "--communes", small_scenario["communes"], "--dem", small_scenario["dem"],
        "--towers", small_scenario["towers"], "--population-column", "dan_so", "--radius", "4000",
        "--plan", small_scenario["towers"], "--out", tmp_path / "r.html",
    ]  # fmt: skip
    env = {"PHUSONG_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
    said = {
        lang: CliRunner().invoke(main, [*map(str, job), "--lang", lang], env=env)
        for lang in ("en", "vi")
    }
    assert said["en"].exit_code == said["vi"].exit_code != 0
    assert "not a plan from `phusong plan`: no column plan, rank" in said["en"].output
    _vietnamese(said["vi"].output, str(small_scenario["towers"]), "plan, rank")
    assert len(said["vi"].output.strip().splitlines()) == 1


def test_render_checks() -> None:
    from coverage.render.proposals import proposal_records
    from coverage.render.raster import classify, encode_png

    english, vietnamese = _both(lambda: classify(np.zeros(3), vmin=0, vmax=1, steps=0), ValueError)
    assert english == "steps must be 1 to 255 to fit a palette image, not 0"
    _vietnamese(vietnamese, "steps", "255", " 0")
    english, vietnamese = _both(
        lambda: encode_png(np.zeros((2, 2), dtype=np.uint8), palette=np.zeros((0, 3))), ValueError
    )
    assert english.startswith("an indexed PNG needs a 2-D image of indices and a palette of 1 to")
    _vietnamese(vietnamese, "PNG", "(2, 2)", "(0, 3)")
    english, vietnamese = _both(
        lambda: proposal_records(pd.DataFrame({"rank": [1]}), {}), CoverageError
    )
    assert english.startswith(
        "proposals need point geometry or lon/lat columns; they have ['rank']"
    )
    _vietnamese(vietnamese, "['rank']", "read_towers")


# ------------------------------------------------------------------------------ the rest


def test_datasets_package_and_languages() -> None:
    import coverage
    from coverage import datasets
    from coverage.errors import DatasetError
    from coverage.i18n import check_language

    english, vietnamese = _both(lambda: datasets.get_path("atlantis"), DatasetError)
    assert english.startswith("unknown dataset 'atlantis'; available: ")
    _vietnamese(vietnamese, "'atlantis'", "laocai")
    english, vietnamese = _both(lambda: coverage.no_such_name, AttributeError)
    assert english == "module 'coverage' has no attribute 'no_such_name'"
    _vietnamese(vietnamese, "'coverage'", "'no_such_name'")
    english, vietnamese = _both(lambda: check_language("fr"), SchemaError)
    assert english == "no language 'fr'; use one of vi, en (--lang)."
    _vietnamese(vietnamese, "'fr'", "vi, en", "--lang")
