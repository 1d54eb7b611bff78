"""coverage.cluster.gaps: gap lists from tiles equal the whole grid's gap_polygons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import Polygon, box
from test_cluster import CELL, RADIUS_M, X0, Y0, _bounds, client, scenario  # noqa: F401

from coverage.cli import main
from coverage.cluster import predict_tiled
from coverage.cluster.gaps import gaps_tiled
from coverage.cluster.tiles import plan_tiles
from coverage.errors import ClusterError, SchemaError
from coverage.gaps import gap_polygons
from coverage.io.population import population_on_grid
from coverage.io.terrain import open_terrain
from coverage.model import predict
from coverage.zonal import communes_on_grid

TILE = 48  # 4 x 4 tiles over the grid, none aligned with the DEM files' (80 cells)
MIN_KM2 = 0.05  # some pieces alone, some gathered in scattered rows


@pytest.fixture(scope="module")
def places(scenario: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Communes over most of the grid, two overlapping, borders crossing tile borders."""
    own = gpd.GeoDataFrame(
        {"commune_id": ["D", "E"], "name": ["Dền Sáng", "Ý Tý"]},
        geometry=[
            Polygon([(X0 + 3_100, Y0 - 300), (X0 + 4_700, Y0 - 700), (X0 + 4_600, Y0 - 2_100),
                     (X0 + 2_900, Y0 - 1_900)]),
            box(X0 + 200, Y0 - 4_750, X0 + 4_750, Y0 - 3_900),
        ],
        crs="EPSG:32648",
    )  # fmt: skip
    communes = pd.concat(
        [scenario["communes"].assign(commune_id=["A", "B", "C"]), own], ignore_index=True
    )
    previous = gpd.GeoDataFrame(
        {"commune_id": ["p1", "p2"], "name": ["Cũ 1", "Cũ 2"]},
        geometry=[box(X0, Y0 - 2_400, X0 + 4_800, Y0), box(X0, Y0 - 4_800, X0 + 4_800, Y0 - 2_400)],
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")
    return {"communes": gpd.GeoDataFrame(communes, crs="EPSG:32648"), "previous": previous}


def _whole_grid(
    scenario: dict[str, Any],  # noqa: F811
    communes: gpd.GeoDataFrame,
    *,
    population: bool = True,
    elevation: bool = True,
    previous: Any = None,
    operators: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """The single-machine gap lists: predict on the whole terrain, gap_polygons per key."""
    terrain = open_terrain(scenario["dem"], bounds=_bounds(scenario))
    result = predict(scenario["towers"], terrain, radius_m=RADIUS_M)
    people = population_on_grid(scenario["people"], grid=result.grid) if population else None
    on_grid = communes_on_grid(communes, result.grid)
    names = operators if operators is not None else sorted(set(result.layers["operator"]))
    frames = [
        gap_polygons(
            result, communes=communes, population=people, operator=key,
            previous_communes=previous, min_area_km2=MIN_KM2, on_grid=on_grid,
            elevation_m=terrain.elevation_on(result.grid) if elevation else None,
        )
        for key in [None, *names]
    ]  # fmt: skip
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=result.crs)


def _assert_same_gaps(tiled: gpd.GeoDataFrame, whole: gpd.GeoDataFrame) -> None:
    """Same rows, ranks and texts; numbers to 1e-9; the same shapes (normalised)."""
    assert list(tiled.columns) == list(whole.columns)
    assert len(tiled) == len(whole) > 0
    for column in whole.columns.drop("geometry"):
        a, b = tiled[column], whole[column]
        if pd.api.types.is_float_dtype(b):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9,
                                       atol=1e-9, err_msg=column)  # fmt: skip
        else:
            assert (
                a.astype(object).where(a.notna(), None).tolist()
                == b.astype(object).where(b.notna(), None).tolist()
            ), column
    mine = shapely.normalize(np.asarray(tiled.geometry.array))
    theirs = shapely.normalize(np.asarray(whole.geometry.array))
    assert shapely.equals(mine, theirs).all()
    # the same area, to rounding of the cut's vertices
    np.testing.assert_allclose(shapely.area(mine), shapely.area(theirs), rtol=1e-12)


def _crossing_corners(gaps: gpd.GeoDataFrame, grid: Any) -> int:
    """Rows whose piece reaches all four tiles around one tile corner."""
    tiles = plan_tiles(grid.shape, TILE)
    boxes = [shapely.box(*grid.window(t.row0, t.col0, t.rows, t.cols).bounds) for t in tiles]
    count = 0
    for geometry in gaps.geometry[gaps["kind"] == "area"]:
        hits = [i for i, b in enumerate(boxes) if shapely.area(shapely.intersection(geometry, b))]
        starts = {(tiles[i].row0, tiles[i].col0) for i in hits}
        if any((r + TILE, c) in starts and (r, c + TILE) in starts and (r + TILE, c + TILE)
               in starts for r, c in starts):  # fmt: skip
            count += 1
    return count


def test_tiles_on_a_local_cluster_give_the_whole_grids_gap_list(
    scenario: dict[str, Any],  # noqa: F811
    places: dict[str, Any],
    client: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    communes = places["communes"]
    tiled = predict_tiled(
        scenario["towers"], scenario["dem"], tmp_path / "out", scheduler=client, tile_size=TILE,
        radius_m=RADIUS_M, communes=communes, population=scenario["people"],
        bounds=_bounds(scenario),
    )  # fmt: skip
    assert tiled.tiles == 16
    gaps = gaps_tiled(
        tiled, communes, towers=scenario["towers"], population=scenario["people"],
        dem=scenario["dem"], previous_communes=places["previous"], min_area_km2=MIN_KM2,
        scheduler=client,
    )  # fmt: skip
    whole = _whole_grid(scenario, communes, previous=places["previous"])
    _assert_same_gaps(gaps, whole)
    # what makes it a test of joining: pieces across tile corners, both kinds of row
    assert _crossing_corners(gaps, tiled.grid) >= 2
    assert set(gaps["kind"]) == {"area", "scattered"}
    assert gaps["people"].sum() > 0 and gaps["highest_ground_m"].notna().all()
    for key, figures in whole.attrs.get("dropped", {}).items():
        assert gaps.attrs["dropped"][key] == pytest.approx(figures, rel=1e-9)
    # a commune's rows add up to its uncovered people (the tiled commune table's)
    rows = gaps[gaps["operator"] == "no operator"].groupby("commune_id")["people"].sum()
    table = tiled.communes.set_index("commune_id")["uncovered_population_any"]
    assert rows.to_numpy() == pytest.approx(table.loc[rows.index].to_numpy(), rel=1e-9)


def test_in_process_without_people_or_terrain(
    scenario: dict[str, Any],  # noqa: F811
    places: dict[str, Any],
    tmp_path: Path,
) -> None:
    """scheduler=None, other tiles (37 cells), one operator: people and heights NaN."""
    communes = places["communes"]
    tiled = predict_tiled(
        scenario["towers"], scenario["dem"], tmp_path / "out", tile_size=37, radius_m=RADIUS_M,
        bounds=_bounds(scenario),
    )  # fmt: skip
    done: list[int] = []
    gaps = gaps_tiled(
        tiled, communes, towers=scenario["towers"], operators=["VNPT"], min_area_km2=MIN_KM2,
        progress=done.append,
    )  # fmt: skip
    whole = _whole_grid(scenario, communes, population=False, elevation=False, operators=["VNPT"])
    _assert_same_gaps(gaps, whole)
    assert gaps["people"].isna().all() and gaps["highest_ground_m"].isna().all()
    assert done == list(range(1, 2 * tiled.tiles + 1))
    with pytest.raises(SchemaError, match="'Vinaphone' has no layer"):
        gaps_tiled(tiled, communes, operators=["Vinaphone"])
    with pytest.raises(ClusterError, match="holds no tiles"):
        gaps_tiled(type(tiled)(tmp_path, tiled.rasters, tiled.layers, tiled.grid, 0), communes)


def test_cli_gaps_on_the_cluster_writes_the_same_list(
    scenario: dict[str, Any],  # noqa: F811
    places: dict[str, Any],
    client: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    towers, communes = tmp_path / "towers.gpkg", tmp_path / "communes.gpkg"
    scenario["towers"].to_file(towers)
    places["communes"].to_file(communes)
    common = ["gaps", "--towers", str(towers), "--dem", str(scenario["dem"]), "--communes",
              str(communes), "--population", str(scenario["people"]), "--radius", str(RADIUS_M),
              "--min-gap-area", str(MIN_KM2)]  # fmt: skip
    single = CliRunner().invoke(main, [*common, "--out", str(tmp_path / "single.csv")])
    assert single.exit_code == 0, single.output
    tiled = CliRunner().invoke(
        main,
        [*common, "--out", str(tmp_path / "tiled.csv"), "--scheduler", client.scheduler.address,
         "--tile-size", str(TILE)],
    )  # fmt: skip
    assert tiled.exit_code == 0, tiled.output
    a, b = pd.read_csv(tmp_path / "tiled.csv"), pd.read_csv(tmp_path / "single.csv")
    geometry = [c for c in b.columns if "geometry" in c or c == "wkt"]
    pd.testing.assert_frame_equal(
        a.drop(columns=geometry), b.drop(columns=geometry), check_exact=False, rtol=1e-9
    )
    assert (tmp_path / "tiled_tiles" / "best_power_dbm.vrt").is_file()
    bad = CliRunner().invoke(
        main,
        [*common[:-4], "--population-column", "dan_so", "--out", str(tmp_path / "x.csv"),
         "--scheduler", "local:1"],
    )  # fmt: skip
    errors = [line for line in bad.output.splitlines() if line.startswith("Error")]
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert len(errors) == 1 and "--population-column cannot be used with --scheduler" in errors[0]
