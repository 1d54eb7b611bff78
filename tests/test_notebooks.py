"""The notebooks run top to bottom and are committed clean; rich HTML summaries; progress bars."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from pyproj import CRS

from coverage.grid import Grid
from coverage.model import CoverageResult, tqdm_progress
from coverage.population import PopulationGrid
from coverage.terrain import Terrain

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = [
    "01_quickstart.ipynb",
    "02_your_own_data.ipynb",
    "03_operator_gap_lists.ipynb",
    "04_what_if.ipynb",
    "05_site_planning.ipynb",
]
HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
#: Generous per-cell limit: each notebook takes well under a minute on two cores.
CELL_TIMEOUT_S = 300


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def execute_notebook(notebook: object, folder: Path, *, kernel_name: str = "python3") -> float:
    """Run every cell in a fresh kernel (cwd = ``folder``); return seconds taken.

    ``python3`` is this environment's Python; another name is looked up in Jupyter's
    kernel folders (``JUPYTER_PATH``), e.g. a kernel of another virtual environment.
    """
    import nbclient

    client = nbclient.NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(folder)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, when a cell fails
    return time.perf_counter() - started


def check_ran_clean(notebook: Any) -> None:
    """Every code cell of an executed notebook ran, and none shows an error."""
    assert not _errors(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "a cell did not run"


def _errors(notebook: dict) -> list[str]:
    return [
        f"{output['ename']}: {output['evalue']}"
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


# ------------------------------------------------------------------------ committed state


def test_every_notebook_is_here() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    notebook = _read(path)
    dirty = [
        i
        for i, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell["outputs"] or cell["execution_count"] is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; strip them before committing"
    timed = [i for i, cell in enumerate(notebook["cells"]) if "execution" in cell["metadata"]]
    assert not timed, f"{path.name}: cells {timed} carry execution timings; strip them"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in notebook["metadata"], f"{path.name}: widget state committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_machine_paths(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert str(REPO) not in text and str(Path.home()) not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid(path: Path) -> None:
    import nbformat

    nbformat.validate(nbformat.read(path, as_version=4))


# ----------------------------------------------------------------------------- execution


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    seconds = execute_notebook(notebook, path.parent)
    check_ran_clean(notebook)
    print(f"{path.name}: {seconds:.1f} s")
    if path.name == "03_operator_gap_lists.ipynb":  # a notebook user in both languages
        text = _printed(notebook)
        assert "dòng 2, cột 'Tần số (MHz)'" in text and "'Tóm tắt theo xã'" in text
        assert "row 2, column 'Tần số (MHz)'" in text  # and back to English


def _printed(notebook: Any) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.mark.slow
def test_own_data_notebook_falls_back_to_the_demo(tmp_path: Path) -> None:
    """Without the user's data folder, notebook 02 says so and still runs on the demo files."""
    import nbformat

    path = NOTEBOOK_DIR / "02_your_own_data.ipynb"
    notebook = nbformat.read(path, as_version=4)
    setting = 'DATA = Path("../../shared/data/laocai")'
    cells = [c for c in notebook.cells if setting in c.source]
    assert len(cells) == 1, "notebook 02 must set DATA in exactly one cell"
    cells[0].source = cells[0].source.replace(setting, 'DATA = Path("no-such-folder")')
    execute_notebook(notebook, tmp_path)
    text = _printed(notebook)
    assert "falling back to the demo files" in text
    assert "Bảo Nhai:" in text and "Lùng Phình:" in text


# --------------------------------------------------------------------------- rich display


def _terrain(source: str = "dem.tif") -> Terrain:
    elevation = np.array([[120.0, 480.5, 2950.0], [np.nan, 860.0, 1500.0]])
    return Terrain.from_array(
        elevation, transform=Affine(30, 0, 500_000, 0, -30, 2_500_060), crs=32648, source=source
    )


def test_terrain_html_has_the_key_numbers() -> None:
    page = _terrain()._repr_html_()
    for expected in (
        "2 × 3 cells",
        "30 m",
        "EPSG:32648",
        "120 to 2,950 m",
        "1 cells (16.67%): 0 filled, 1 left NaN",
        "dem.tif",
    ):
        assert expected in page, expected


def test_terrain_html_escapes_the_source() -> None:
    page = _terrain(HOSTILE)._repr_html_()
    assert ESCAPED in page and "<img" not in page


def _result(operator: str) -> CoverageResult:
    power = np.full((2, 4, 5), np.nan, np.float32)
    power[0, :2, :] = -90.0  # 10 of 20 cells above -110 dBm
    power[0, 2, 0] = -115.0  # reached but below the threshold
    power[1, 3, :] = -70.0  # 5 of 20 cells above -95 dBm
    layers = pd.DataFrame(
        {
            "operator": [operator, "Viettel"],
            "technology": ["4G", "2G"],
            "threshold_dbm": [-110, -95],
        }
    )
    towers = gpd.GeoDataFrame(
        {"operator": [operator, operator, "Viettel"], "technology": ["4G", "4G", "2G"]},
        geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]),
        crs=32648,
    )
    validity = np.zeros((4, 5), np.uint8)
    validity[0, 0] = 1
    return CoverageResult(
        power,
        np.zeros(power.shape, np.int32),
        layers,
        validity,
        Grid(CRS.from_epsg(32648), Affine(90, 0, 0, 0, -90, 360), validity.shape),
        towers,
        model="fspl",
    )


def test_coverage_result_html_has_the_key_numbers() -> None:
    page = _result("MobiFone")._repr_html_()
    for expected in (
        "fspl",
        "3 in 2 layer(s)",
        "4 × 5 cells of 90 m",
        "WGS 84 / UTM zone 48N (EPSG:32648)",
        "50.0%",  # MobiFone 4G
        "25.0%",  # Viettel 2G
        "75.0% of the grid",  # any operator
        "1 cells (5.0%) flagged",
        "<td>-110</td>",
    ):
        assert expected in page, expected
    rows = [
        re.findall(r"<td>(.*?)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
        if "<td>" in row
    ]
    assert rows == [
        ["MobiFone", "4G", "-110", "2", "50.0%"],
        ["Viettel", "2G", "-95", "1", "25.0%"],
    ]


def test_coverage_result_html_escapes_operator_names() -> None:
    page = _result(HOSTILE)._repr_html_()
    assert ESCAPED in page and "<img" not in page


def test_empty_coverage_result_html() -> None:
    empty = CoverageResult(
        np.zeros((0, 2, 2), np.float32),
        np.zeros((0, 2, 2), np.int32),
        pd.DataFrame({"operator": [], "technology": [], "threshold_dbm": []}),
        np.zeros((2, 2), np.uint8),
        Grid(CRS.from_epsg(32648), Affine(100, 0, 0, 0, -100, 200), (2, 2)),
        gpd.GeoDataFrame(geometry=[], crs=32648),
    )
    page = empty._repr_html_()
    assert "0 in 0 layer(s)" in page and "0.0% of the grid" in page


def test_population_html_has_the_key_numbers_and_escapes() -> None:
    grid = PopulationGrid(
        np.array([[1500.0, 0.0], [250.25, 3.0]]),
        Grid(CRS.from_epsg(32648), Affine(100, 0, 0, 0, -100, 200), (2, 2)),
        "commune_area_spread",
        HOSTILE,
        np.array([[1.0, 1.0], [0.5, 0.0]], np.float32),
        {"crude": True, "outside_grid": 1234.4},
    )
    page = grid._repr_html_()
    for expected in (
        "1,753 people on the grid (largest cell 1,500)",
        "commune_area_spread (crude",
        "2 × 2 cells of 100 m",
        "62.5% of the grid",
        "1,234 people",
        ESCAPED,
    ):
        assert expected in page, expected
    assert "<img" not in page


# ------------------------------------------------------------------------------ progress


def test_tqdm_progress_follows_the_sites_done() -> None:
    text = io.StringIO()
    update = tqdm_progress(40, "coverage", file=text, mininterval=0)
    update(16)
    assert "16/40" in text.getvalue()
    update(40)
    assert "40/40" in text.getvalue() and "coverage" in text.getvalue()


def test_tqdm_progress_drives_predict() -> None:
    from coverage.model import predict

    terrain = Terrain.from_array(
        np.zeros((60, 60)), transform=Affine(30, 0, 400_000, 0, -30, 2_501_800), crs=32648
    )
    towers = gpd.GeoDataFrame(
        {
            "site_id": ["A", "B", "C"],
            "operator": ["Viettel"] * 3,
            "technology": ["4G"] * 3,
            "frequency_mhz": [1800.0] * 3,
            "antenna_height_m": [30.0] * 3,
            "eirp_dbm": [60.0] * 3,
        },
        geometry=gpd.points_from_xy([400_600, 400_900, 401_200], [2_500_900] * 3),
        crs=32648,
    )
    text = io.StringIO()
    predict(
        towers,
        terrain,
        model="fspl",
        radius_m=500,
        batch_size=2,
        progress=tqdm_progress(3, "sites", file=text, mininterval=0),
    )
    assert "2/3" in text.getvalue() and "3/3" in text.getvalue()
