"""coverage.cluster: tiles on a two-process LocalCluster give the single-process results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from shapely.geometry import Polygon, box

from benchmarks.synthetic import rough_elevation
from coverage.cli import main
from coverage.cluster import connect, predict_tiled
from coverage.cluster.tiles import halo_cells, plan_tiles
from coverage.crs import WGS84, grow_lonlat_bounds
from coverage.errors import ClusterError, ModelRangeError
from coverage.gaps import commune_coverage
from coverage.io.population import population_on_grid
from coverage.io.terrain import open_terrain, terrain_grid
from coverage.model import predict

CELL = 30.0
X0, Y0 = 500_000.0, 2_500_020.0
SIZE = 160  # cells of the whole DEM, written as 2 x 2 GeoTIFF tiles
RADIUS_M = 1_200.0
TILE = 48  # cells per coverage tile: 4 x 4 tiles, none aligned with the DEM files'
UTM = "EPSG:32648"


def _write(path: Path, values: np.ndarray, x0: float, y0: float, **extra: Any) -> None:
    rows, cols = values.shape
    with rasterio.open(
        path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype=values.dtype,
        crs=UTM, transform=Affine(CELL, 0, x0, 0, -CELL, y0), **extra,
    ) as dst:  # fmt: skip
        dst.write(values, 1)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Fractal DEM in four files, 30 sites of three operators, three communes, people."""
    root = tmp_path_factory.mktemp("cluster")
    dem = root / "dem"
    dem.mkdir()
    elevation = rough_elevation(SIZE, seed=3)
    half = SIZE // 2
    for i in range(2):
        for j in range(2):
            part = elevation[i * half : (i + 1) * half, j * half : (j + 1) * half]
            _write(dem / f"t{i}{j}.tif", part, X0 + j * half * CELL, Y0 - i * half * CELL)
    rng = np.random.default_rng(5)
    n = 30
    xs = X0 + rng.uniform(1_500, SIZE * CELL - 1_500, n)
    ys = Y0 - rng.uniform(1_500, SIZE * CELL - 1_500, n)
    technology = rng.choice(["4G", "3G"], n)
    towers = gpd.GeoDataFrame(
        {
            "site_id": [f"S{i}" for i in range(n)],
            "operator": rng.choice(["Viettel", "MobiFone", "VNPT"], n),
            "technology": technology,
            "frequency_mhz": np.where(technology == "4G", 1800.0, 2100.0),
            "antenna_height_m": 30.0,
            "eirp_dbm": 60.0,
            "azimuth_deg": np.where(np.arange(n) % 3 == 0, rng.uniform(0, 360, n), np.nan),
            "beamwidth_deg": 65.0,
            "tilt_deg": np.nan,
        },
        geometry=gpd.points_from_xy(xs, ys),
        crs=UTM,
    ).to_crs(WGS84)
    people = root / "people.tif"
    _write(people, rng.gamma(1.0, 3.0, (SIZE, SIZE)), X0, Y0, nodata=-99999.0)
    communes = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"]},
        geometry=[
            box(X0 + 800, Y0 - 3_000, X0 + 3_000, Y0 - 800),
            box(X0 + 2_500, Y0 - 4_500, X0 + 4_500, Y0 - 2_000),
            Polygon([(X0 + 500, Y0 - 4_000), (X0 + 2_600, Y0 - 4_700), (X0 + 1_700, Y0 - 3_100)]),
        ],
        crs=UTM,
    )
    return {"dem": dem, "towers": towers, "people": people, "communes": communes, "root": root}


def _bounds(scenario: dict[str, Any]) -> tuple[float, float, float, float]:
    """The towers' extent grown past the radius: no site's disc leaves the grid."""
    return grow_lonlat_bounds(scenario["towers"].total_bounds, RADIUS_M + 200.0)


def _single(scenario: dict[str, Any], towers: Any = None, **options: Any) -> tuple[Any, Any]:
    """The single-process run: the whole terrain, predict, commune_coverage."""
    terrain = open_terrain(scenario["dem"], bounds=_bounds(scenario))
    towers = scenario["towers"] if towers is None else towers
    result = predict(towers, terrain, radius_m=RADIUS_M, **options)
    people = population_on_grid(scenario["people"], grid=result.grid)
    return result, commune_coverage(scenario["communes"], result, population=people)


@pytest.fixture(scope="module")
def single(scenario: dict[str, Any]) -> tuple[Any, Any]:
    return _single(scenario)


@pytest.fixture(scope="module")
def client() -> Any:
    """A LocalCluster of two worker processes, one thread each."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
            env={"NUMBA_NUM_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):  # fmt: skip
        yield connected


def _rasters(tiled: Any) -> dict[str, np.ndarray]:
    out = {}
    for name, path in tiled.rasters.items():
        with rasterio.open(path) as src:
            out[name] = src.read()
    return out


def _assert_same(tiled: Any, result: Any, table: Any) -> None:
    rasters = _rasters(tiled)
    assert np.array_equal(rasters["best_power_dbm"], result.best_power_dbm, equal_nan=True)
    assert np.array_equal(rasters["serving_site"], result.serving_site)
    assert np.array_equal(rasters["operators_covering"][0], result.operators_covering)
    assert np.array_equal(rasters["validity"][0], result.validity)
    assert tiled.grid.aligned_with(result.grid) and tiled.grid.shape == result.grid.shape
    pd.testing.assert_frame_equal(tiled.layers, result.layers)
    if table is not None:
        # sums over tiles add in another order than over the whole grid: equal to 1e-12
        pd.testing.assert_frame_equal(
            pd.DataFrame(tiled.communes.drop(columns="geometry")),
            pd.DataFrame(table.drop(columns="geometry")),
            check_exact=False,
            rtol=1e-12,
        )
        written = pd.read_csv(tiled.folder / "communes.csv")
        assert written["covered_population_any"].tolist() == pytest.approx(
            table["covered_population_any"].tolist(), rel=1e-12
        )


def test_plan_tiles_cover_the_grid_once() -> None:
    tiles = plan_tiles((100, 130), 48)
    cover = np.zeros((100, 130), int)
    for t in tiles:
        cover[t.row0 : t.row0 + t.rows, t.col0 : t.col0 + t.cols] += 1
    assert (cover == 1).all() and len(tiles) == 9
    with pytest.raises(ValueError, match="tile_size"):
        plan_tiles((10, 10), 0)


def test_terrain_grid_is_open_terrains_without_reading(scenario: dict[str, Any]) -> None:
    grid = terrain_grid(scenario["dem"], bounds=_bounds(scenario))
    terrain = open_terrain(scenario["dem"], bounds=_bounds(scenario))
    assert grid.shape == terrain.shape and grid.aligned_with(terrain.grid)


def test_local_cluster_equals_single_process(
    scenario: dict[str, Any], single: tuple[Any, Any], client: Any, tmp_path: Path
) -> None:
    result, table = single
    tiled = predict_tiled(
        scenario["towers"], scenario["dem"], tmp_path / "out", scheduler=client, tile_size=TILE,
        radius_m=RADIUS_M, communes=scenario["communes"], population=scenario["people"],
        bounds=_bounds(scenario),
    )  # fmt: skip
    assert tiled.tiles == 16
    # sites spanning tile borders: some tile's pixels are served by sites of other tiles
    assert len(np.unique(result.serving_site)) > 20
    _assert_same(tiled, result, table)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_hata_halo_of_two_radii_in_process(scenario: dict[str, Any], tmp_path: Path) -> None:
    """Hata's base height averages the whole radial: tiles read two radii around them."""
    assert halo_cells(RADIUS_M, CELL, "hata") == 2 * halo_cells(RADIUS_M, CELL, "fspl") - 2
    towers = scenario["towers"].assign(frequency_mhz=900.0)  # within Okumura-Hata's range
    result, _ = _single(scenario, towers, model="hata")
    tiled = predict_tiled(
        towers, scenario["dem"], tmp_path / "hata", tile_size=37, radius_m=RADIUS_M,
        model="hata", bounds=_bounds(scenario),
    )  # fmt: skip
    _assert_same(tiled, result, None)


def test_cli_on_the_cluster_writes_vrts(
    scenario: dict[str, Any], single: tuple[Any, Any], client: Any, tmp_path: Path
) -> None:
    towers = tmp_path / "towers.gpkg"
    scenario["towers"].to_file(towers)
    out = tmp_path / "cli"
    run = CliRunner().invoke(
        main,
        ["coverage", "--towers", str(towers), "--dem", str(scenario["dem"]), "--radius",
         str(RADIUS_M), "--out", str(out), "--scheduler", client.scheduler.address,
         "--tile-size", str(TILE)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert {Path(line).name for line in run.output.split()} >= {
        "best_power_dbm.vrt",
        "validity.vrt",
        "layers.csv",
    }
    grid = terrain_grid(
        scenario["dem"], bounds=grow_lonlat_bounds(scenario["towers"].total_bounds, RADIUS_M)
    )
    with rasterio.open(out / "best_power_dbm.vrt") as src:
        assert (src.count, src.height, src.width) == (len(single[0].layers), *grid.shape)
        assert np.isfinite(src.read()).mean() > 0.5


def test_a_tile_refusing_its_input_is_one_line_and_leaves_nothing(
    scenario: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    towers = scenario["towers"].assign(frequency_mhz=2600.0)  # outside Okumura-Hata's range
    with pytest.raises(ModelRangeError, match="site S") as caught:
        predict_tiled(
            towers, scenario["dem"], tmp_path / "out", scheduler=client, tile_size=TILE,
            radius_m=RADIUS_M, model="hata", bounds=_bounds(scenario),
        )  # fmt: skip
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_run_leaves_no_partial_output(scenario: dict[str, Any], tmp_path: Path) -> None:
    def interrupt(done: int) -> None:
        if done == 3:  # three tiles written to the staging folder, then Ctrl-C
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        predict_tiled(
            scenario["towers"], scenario["dem"], tmp_path / "out", tile_size=TILE,
            radius_m=RADIUS_M, progress=interrupt, bounds=_bounds(scenario),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_bad_scheduler_is_one_line(scenario: dict[str, Any], tmp_path: Path) -> None:
    towers = tmp_path / "towers.gpkg"
    scenario["towers"].to_file(towers)
    for scheduler, message in (
        ("somewhere", "give a scheduler address such as tcp://host:8786"),
        ("local:0", "at least one worker"),
    ):
        run = CliRunner().invoke(
            main,
            ["coverage", "--towers", str(towers), "--dem", str(scenario["dem"]), "--out",
             str(tmp_path / "out"), "--scheduler", scheduler],
        )  # fmt: skip
        assert run.exit_code != 0 and "Traceback" not in run.output
        errors = [line for line in run.output.splitlines() if line.startswith("Error")]
        assert len(errors) == 1 and message in errors[0], run.output
    with (
        pytest.raises(ClusterError, match="cannot reach the Dask scheduler"),
        connect("tcp://127.0.0.1:9"),
    ):
        pass


def test_geographic_dem_warns_that_tiles_are_close_not_identical(tmp_path: Path) -> None:
    """SRTM-like tiles in lon/lat are resampled window by window: said, not hidden."""
    dem = tmp_path / "dem"
    dem.mkdir()
    res = 1 / 1200  # 3 arc-seconds
    elevation = rough_elevation(80, seed=2)
    for j in range(2):
        with rasterio.open(
            dem / f"g{j}.tif", "w", driver="GTiff", width=40, height=80, count=1,
            dtype="float32", crs="EPSG:4326",
            transform=Affine(res, 0, 104.0 + j * 40 * res, 0, -res, 22.5),
        ) as dst:  # fmt: skip
            dst.write(elevation[:, j * 40 : (j + 1) * 40], 1)
    towers = gpd.GeoDataFrame(
        {"site_id": ["A"], "operator": ["Viettel"], "technology": ["4G"],
         "frequency_mhz": [1800.0], "antenna_height_m": [30.0], "eirp_dbm": [60.0]},
        geometry=gpd.points_from_xy([104.0 + 40 * res], [22.5 - 40 * res]), crs=WGS84,
    )  # fmt: skip
    bounds = (104.0 + 5 * res, 22.5 - 75 * res, 104.0 + 75 * res, 22.5 - 5 * res)
    with pytest.warns(UserWarning, match="not on the working grid's CRS"):
        tiled = predict_tiled(towers, dem, tmp_path / "out", tile_size=24, radius_m=1_500.0,
                              bounds=bounds)  # fmt: skip
    with rasterio.open(tiled.rasters["best_power_dbm"]) as src:
        assert np.isfinite(src.read()).sum() > 700  # the 1.5 km disc: about 800 cells of 93 m
