"""coverage.memory: estimates against real allocations, refusals before allocating (issue 12.4)."""

from __future__ import annotations

import gc
import time
import tracemalloc
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from click.testing import CliRunner

from coverage import memory
from coverage.cli import main
from coverage.crs import WGS84, transform_xy
from coverage.errors import CoverageError, MemoryBudgetError, OutputWriteError
from coverage.io import rasters
from coverage.io.rasters import write_terrain
from coverage.io.terrain import open_terrain
from coverage.model import predict
from coverage.radial.plan import nearest_ray_plan, radial_plan
from coverage.site_rasters import power_bands, site_frame
from coverage.terrain import Terrain

UTM = "EPSG:32648"
ORIGIN = (500_000.0, 2_500_000.0)
FACTOR = 1.5
"""Each estimate lies within this factor of the peak tracemalloc measures, either way."""


def _terrain(rows: int, cols: int, cell_m: float = 30.0, seed: int = 0) -> Terrain:
    rng = np.random.default_rng(seed)
    return Terrain.from_array(
        (rng.random((rows, cols)) * 80 + 300).astype(np.float32),
        transform=Affine(cell_m, 0, ORIGIN[0], 0, -cell_m, ORIGIN[1]),
        crs=UTM,
    )


@pytest.fixture(scope="module")
def dem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200 x 200 DEM of 30 m cells (6 km), UTM 48N."""
    path = tmp_path_factory.mktemp("dem") / "dem.tif"
    write_terrain(_terrain(200, 200), path)
    return path


def _centre_lonlat() -> str:
    lon, lat = transform_xy(UTM, WGS84, np.array([ORIGIN[0] + 3000]), np.array([ORIGIN[1] - 3000]))
    return f"{lon[0]:.5f},{lat[0]:.5f}"


def _peak(function, *args, **kwargs) -> int:  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    try:
        function(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _refused(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI; check it failed fast with one line and no traceback; return the line."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, args, env=env)
    elapsed = time.perf_counter() - start
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, result.output
    assert elapsed < 60, f"refusal took {elapsed:.1f} s: something was computed first"
    return lines[0]


# ----------------------------------------------------------------------- sizes and budgets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2GB", 2 * 10**9),
        ("512MiB", 512 * 2**20),
        ("1.5 k", 1500),
        ("100", 100),
        ("3tib", 3 * 2**40),
    ],
)
def test_sizes_are_read_in_decimal_and_binary_units(text: str, expected: int) -> None:
    assert memory.parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "-1GB", "2XB", "nanGB"])
def test_unreadable_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        memory.parse_size(text)


def test_the_environment_sets_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, "2GB")
    assert memory.available_memory() == memory.Budget(2 * 10**9, "PHUSONG_MEMORY_LIMIT=2GB")
    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, "plenty")
    with pytest.raises(MemoryBudgetError, match="PHUSONG_MEMORY_LIMIT"):
        memory.available_memory()


def test_without_a_limit_the_budget_is_the_memory_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psutil

    monkeypatch.delenv(memory.MEMORY_LIMIT_ENV, raising=False)
    budget = memory.available_memory()
    assert 0 < budget.bytes <= psutil.virtual_memory().total


def test_a_lower_cgroup_limit_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    limit, usage = tmp_path / "memory.max", tmp_path / "memory.current"
    limit.write_text("3000000\n")
    usage.write_text("1000000\n")
    monkeypatch.setattr(memory, "_CGROUP_FILES", ((str(limit), str(usage)),))
    monkeypatch.delenv(memory.MEMORY_LIMIT_ENV, raising=False)
    assert memory.available_memory() == memory.Budget(
        2_000_000, "left under the cgroup's memory limit"
    )
    limit.write_text("max\n")
    assert memory.available_memory().source == "available memory"


def test_refusal_names_the_figures_the_option_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, "1MB")
    with pytest.raises(MemoryBudgetError) as caught:
        memory.require_memory(5e6, what="a grid", option="--resolution", fix="use a coarser one")
    assert isinstance(caught.value, CoverageError) and isinstance(caught.value, MemoryError)
    assert str(caught.value) == (
        "a grid needs about 5 MB of memory, but 1 MB is available (PHUSONG_MEMORY_LIMIT=1MB); "
        "set by --resolution: use a coarser one."
    )
    memory.require_memory(0.9e6, what="a grid", option="--resolution", fix="-")


# --------------------------------------------------- estimates against real allocations


@pytest.mark.parametrize("radius_cells", [150.0, 400.0])
@pytest.mark.parametrize("plan", [radial_plan, nearest_ray_plan])
def test_radial_plan_estimate_matches_its_allocation(plan, radius_cells: float) -> None:  # type: ignore[no-untyped-def]
    plan.cache_clear()
    measured = _peak(plan, radius_cells)
    estimate = memory.radial_plan_bytes(radius_cells)
    assert measured / FACTOR <= estimate <= measured * FACTOR * 2.2  # the larger plan bounds both


@pytest.mark.parametrize(("rows", "resolution_m"), [(600, None), (300, 10.0)])
def test_terrain_estimate_matches_its_allocation(
    tmp_path: Path, rows: int, resolution_m: float | None
) -> None:
    write_terrain(_terrain(rows, rows), tmp_path / "t.tif")
    open_terrain(tmp_path, resolution_m=resolution_m)  # warm caches
    measured = _peak(open_terrain, tmp_path, resolution_m=resolution_m)
    grid_side = rows if resolution_m is None else rows * 3
    estimate = memory.terrain_bytes((grid_side, grid_side), rows * rows)
    assert measured / FACTOR <= estimate <= measured * FACTOR


@pytest.mark.parametrize(("rows", "radius_m", "n_sites"), [(800, 1500.0, 16), (500, 6000.0, 4)])
def test_predict_estimate_matches_its_allocation(rows: int, radius_m: float, n_sites: int) -> None:
    terrain = _terrain(rows, rows)
    rng = np.random.default_rng(1)
    span = 30.0 * rows
    towers = gpd.GeoDataFrame(
        {
            "site_id": [f"s{i}" for i in range(n_sites)],
            "operator": ["A", "B"] * (n_sites // 2),
            "technology": "4G",
            "frequency_mhz": 900.0,
            "antenna_height_m": 30.0,
            "eirp_dbm": 60.0,
        },
        geometry=gpd.points_from_xy(
            ORIGIN[0] + span * (0.3 + 0.4 * rng.random(n_sites)),
            ORIGIN[1] - span * (0.3 + 0.4 * rng.random(n_sites)),
        ),
        crs=UTM,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predict(towers.iloc[:2], terrain, radius_m=300.0)  # compile the kernels first
        nearest_ray_plan.cache_clear()
        measured = _peak(predict, towers, terrain, radius_m=radius_m)
    estimate = memory.predict_bytes(
        terrain.shape, n_layers=2, radius_cells=radius_m / 30.0, batch_size=min(16, n_sites)
    )
    assert measured / FACTOR <= estimate <= measured * FACTOR


def test_band_file_estimate_matches_the_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terrain = _terrain(300, 300)
    lonlat = np.column_stack(
        transform_xy(
            UTM,
            WGS84,
            ORIGIN[0] + np.array([3000.0, 6000.0]),
            ORIGIN[1] - np.array([3000.0, 6000.0]),
        )
    )
    bands = power_bands(terrain, site_frame(lonlat), radius_m=1500.0)
    staged: list[int] = []
    original = rasters.cloud_optimize

    def measured(source: Path, target: Path, **options: object) -> Path:
        done = original(source, target, **options)
        staged.append(Path(source).stat().st_size)  # the raw staging copy, overviews in
        return done

    monkeypatch.setattr(rasters, "cloud_optimize", measured)
    path = bands.to_geotiff(tmp_path / "p.tif")
    estimate = memory.band_file_bytes(2, terrain.shape, radius_cells=50.0, itemsize=4)
    assert estimate / FACTOR <= path.stat().st_size <= estimate * FACTOR
    staging = memory.band_staging_bytes(
        2, terrain.shape, radius_cells=50.0, itemsize=4, block=rasters.COG_BLOCK
    )
    assert staged and staged[0] <= staging <= staged[0] * FACTOR * 2


# ------------------------------------------------------------- refusals through the CLI


def test_radius_1e9_is_refused_before_allocating(dem: Path, tmp_path: Path) -> None:
    for command in ("predict", "viewshed"):
        out = tmp_path / f"{command}.tif"
        line = _refused(
            [
                command,
                "--dem",
                str(dem),
                "--site",
                _centre_lonlat(),
                "--radius",
                "1e9",
                "--out",
                str(out),
            ],
            env={},
        )
        assert "PB of memory" in line and "--radius" in line and "smaller --radius" in line
        assert not out.exists()


def test_resolution_1_is_refused_before_allocating(dem: Path, tmp_path: Path) -> None:
    line = _refused(
        ["predict", "--dem", str(dem), "--site", _centre_lonlat(), "--resolution", "1",
         "--out", str(tmp_path / "p.tif")],
        env={memory.MEMORY_LIMIT_ENV: "100MB"},
    )  # fmt: skip
    assert "6,000 x 6,000 cells of 1 m" in line and "--resolution" in line
    assert "coarser --resolution" in line and "100 MB is available" in line


def test_predict_with_100000_sites_is_refused_for_want_of_disk(dem: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    x = ORIGIN[0] + 600 + 4800 * rng.random(100_000)
    y = ORIGIN[1] - 600 - 4800 * rng.random(100_000)
    lon, lat = transform_xy(UTM, WGS84, x, y)
    towers = pd.DataFrame(
        {"site_id": [f"T{i}" for i in range(100_000)], "operator": "Viettel", "technology": "4G",
         "frequency_mhz": 900.0, "antenna_height_m": 30.0, "eirp_dbm": 60.0, "lon": lon,
         "lat": lat},
    )  # fmt: skip
    sites = tmp_path / "towers.csv"
    towers.to_csv(sites, index=False)
    out = tmp_path / "p.tif"
    line = _refused(
        [
            "predict",
            "--dem",
            str(dem),
            "--sites",
            str(sites),
            "--radius",
            "2000",
            "--out",
            str(out),
        ],
        env={memory.DISK_LIMIT_ENV: "1GB"},
    )
    # 100,000 bands, each at least the pi 66.7^2 cells of its 2 km radius in float32
    assert "100,000 band(s)" in line and "of disk" in line and "split the sites" in line
    assert not out.exists() and list(tmp_path.iterdir()) == [sites]


def test_site_bands_in_memory_are_refused_beyond_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terrain = _terrain(100, 100)
    lonlat = np.column_stack(
        transform_xy(UTM, WGS84, np.full(40, ORIGIN[0] + 1500), np.full(40, ORIGIN[1] - 1500))
    )
    bands = power_bands(terrain, site_frame(lonlat), radius_m=300.0)
    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, "1MB")  # 40 bands of 100 x 100 float32: 1.6 MB
    with pytest.raises(MemoryBudgetError, match="to_geotiff"):
        bands.to_array()


def test_disk_refusal_is_an_output_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(memory.DISK_LIMIT_ENV, "10kB")
    with pytest.raises(OutputWriteError, match="20 kB of disk, but 10 kB"):
        memory.require_disk(20_000, tmp_path / "not yet", what="a file", option="--out", fix="-")
    monkeypatch.delenv(memory.DISK_LIMIT_ENV)
    assert memory.available_disk(tmp_path / "not" / "yet").bytes > 0


@pytest.mark.parametrize(("rows", "k", "source"), [(300, 3, 100), (200, 2, 600)])
def test_population_estimate_matches_its_allocation(rows: int, k: int, source: int) -> None:
    from coverage.grid import Grid
    from coverage.io.population import population_on_grid

    grid = Grid(UTM, Affine(30, 0, ORIGIN[0], 0, -30, ORIGIN[1]), (rows, rows))
    pixel = 30.0 * rows / source
    options = dict(
        source_transform=Affine(pixel, 0, ORIGIN[0], 0, -pixel, ORIGIN[1]), source_crs=UTM
    )
    values = np.full((source, source), 5.0)
    measured = _peak(population_on_grid, values, grid=grid, samples_per_cell=k, **options)
    estimate = memory.population_bytes(grid.shape, k, values.size)
    assert measured / FACTOR <= estimate <= measured * FACTOR
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(memory.MEMORY_LIMIT_ENV, str(estimate // 2))
        with pytest.raises(MemoryBudgetError, match="samples_per_cell"):
            population_on_grid(values, grid=grid, samples_per_cell=k, **options)


def test_planning_refuses_a_radius_past_memory_before_any_candidate() -> None:
    from coverage.planning.matrix import candidate_coverage

    terrain = _terrain(60, 60)
    candidates = gpd.GeoDataFrame(
        {"site_id": ["C1"], "technology": ["4G"], "frequency_mhz": [1800.0],
         "antenna_height_m": [30.0], "eirp_dbm": [58.0]},
        geometry=gpd.points_from_xy([ORIGIN[0] + 900], [ORIGIN[1] - 900]), crs=UTM,
    )  # fmt: skip
    start = time.perf_counter()
    with pytest.raises(MemoryBudgetError, match="smaller --radius"):
        candidate_coverage(candidates, terrain, np.arange(60 * 60), radius_m=1e9)
    assert time.perf_counter() - start < 5
