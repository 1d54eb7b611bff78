"""Gap lists that add up: every uncovered person inside a commune is in exactly one gap row."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from hypothesis import HealthCheck, example, given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from shapely.geometry import Polygon, box

from coverage.gaps import NO_OPERATOR, commune_coverage, gap_polygons, slug
from coverage.grid import Grid
from coverage.io.population import population_on_grid
from coverage.model import CoverageResult
from coverage.zonal import communes_on_grid

UTM48N = "EPSG:32648"
CELL_M = 500.0
OPERATORS = ("Viettel", "MobiFone")


def _result(covered: np.ndarray) -> CoverageResult:
    """Coverage whose layer ``i`` (operator ``OPERATORS[i]``, 4G) covers ``covered[i]``."""
    layers, rows, cols = covered.shape
    transform = Affine(CELL_M, 0, 0, 0, -CELL_M, rows * CELL_M)
    power = np.where(covered, -70.0, np.nan).astype(np.float32)
    return CoverageResult(
        power,
        np.zeros(covered.shape, np.int32),
        pd.DataFrame(
            {
                "operator": list(OPERATORS[:layers]),
                "technology": ["4G"] * layers,
                "threshold_dbm": [-100.0] * layers,
            }
        ),
        np.zeros((rows, cols), np.uint8),
        Grid(UTM48N, transform, (rows, cols)),
        gpd.GeoDataFrame({"site_id": [], "operator": []}, geometry=[], crs=UTM48N),
    )


def _communes(rows: int, cols: int) -> gpd.GeoDataFrame:
    """Three communes cutting cells obliquely, one reaching past the grid, and open land."""
    w, h = cols * CELL_M, rows * CELL_M
    return gpd.GeoDataFrame(
        {"commune_id": ["a", "b", "c"], "name": ["Y Tý", "Mường Hum", "Bản Xèo"]},
        geometry=[
            Polygon([(0, 0), (0.55 * w, 0), (0.3 * w, 0.8 * h), (0, 0.6 * h)]),
            Polygon([(0.55 * w, 0), (0.9 * w, 0.1 * h), (0.7 * w, 0.7 * h), (0.3 * w, 0.8 * h)]),
            box(0.8 * w, 0.75 * h, 1.3 * w, 1.2 * h),  # partly outside the grid
        ],
        crs=UTM48N,
    )


def _gap_lists(result, communes, people, min_area_km2):
    on_grid = communes_on_grid(communes, result.grid)
    table = commune_coverage(communes, result, population=people, on_grid=on_grid)
    operators = [None, *OPERATORS[: len(result.layers)]]
    gaps = pd.concat(
        [
            gap_polygons(
                result,
                communes=communes,
                population=people,
                operator=operator,
                min_area_km2=min_area_km2,
                on_grid=on_grid,
            )
            for operator in operators
        ],
        ignore_index=True,
    )
    return table, gaps


def assert_gap_lists_add_up(table: pd.DataFrame, gaps: pd.DataFrame) -> None:
    """Per commune and operator (and nobody), the rows' people are the commune's uncovered people."""
    assert gaps["gap_id"].is_unique
    for operator, rows in gaps.groupby("operator"):
        key = "any" if operator == NO_OPERATOR else slug(str(operator))
        expected = table.set_index("commune_id")[f"uncovered_population_{key}"].fillna(0.0)
        got = rows.groupby("commune_id")["people"].sum().reindex(expected.index, fill_value=0.0)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6, err_msg=str(operator))
        assert rows["people"].sum() == pytest.approx(expected.sum(), rel=1e-9, abs=1e-6)
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        # each commune has at most one scattered row per operator
        scattered = rows[rows["kind"] == "scattered"]
        assert scattered["commune_id"].is_unique


def assert_contiguous_areas_lie_in_their_communes(table: pd.DataFrame, gaps: pd.DataFrame) -> None:
    """A contiguous area's size counts its pieces inside the communes, never land outside them."""
    area_in_grid = table.set_index("commune_id")["area_in_grid_km2"]
    assert gaps.loc[gaps["kind"] == "scattered", "contiguous_area_km2"].isna().all()
    assert (gaps["contiguous_area_km2"].dropna() <= area_in_grid.sum() * (1 + 1e-9)).all()
    for operator, own in gaps.groupby("operator"):
        every_piece_alone = (own["kind"] == "area").all()
        for _, rows in own[own["kind"] == "area"].groupby("area_id"):
            size = rows["contiguous_area_km2"].iloc[0]
            assert (rows["contiguous_area_km2"] == size).all(), operator
            assert size >= rows["area_km2"].sum() * (1 - 1e-9), operator
            if every_piece_alone:  # then its rows are all of it
                assert size == pytest.approx(rows["area_km2"].sum(), rel=1e-9), operator
                communes = area_in_grid.loc[rows["commune_id"].unique()].sum()
                assert size <= communes * (1 + 1e-9), operator


def test_uncovered_area_outside_the_communes_is_not_counted() -> None:
    """All uncovered, 2 x 8 cells (4 km2), one 1 x 2 km commune: a 2 km2 contiguous area."""
    result = _result(np.zeros((1, 2, 8), dtype=bool))
    communes = gpd.GeoDataFrame(
        {"commune_id": ["a"], "name": ["Y Tý"]}, geometry=[box(0, 0, 2000, 1000)], crs=UTM48N
    )
    gaps = gap_polygons(result, communes=communes, operator="Viettel")
    assert gaps["contiguous_area_km2"].tolist() == [2.0]
    assert gaps.attrs["dropped"]["outside_communes_area_km2"] == pytest.approx(2.0)


def test_small_pieces_make_one_scattered_row_ranked_like_the_others() -> None:
    """Uncovered: a 2 km2 block, nobody in it, and four stray cells (0.25 km2, 100 people each)."""
    result, communes = _block_and_strays()
    people = population_on_grid(
        _stray_people(),
        source_transform=result.transform,
        source_crs=UTM48N,
        grid=result.grid,
    )
    gaps = gap_polygons(
        result, communes=communes, population=people, operator="Viettel", min_area_km2=0.5
    )
    assert gaps[["gap_id", "kind", "pieces", "area_km2", "people"]].values.tolist() == [
        ["viettel-0001", "scattered", 4, 1.0, 400.0],
        ["viettel-0002", "area", 1, 2.0, 0.0],
    ]
    assert gaps["area_id"].isna().tolist() == [True, False]
    assert gaps.geom_type.tolist() == ["MultiPolygon", "Polygon"]
    table = commune_coverage(communes, result, population=people)
    assert gaps["people"].sum() == table["uncovered_population_viettel"].iloc[0] == 400.0


STRAYS = [(5, 1), (5, 5), (7, 3), (7, 7)]


def _block_and_strays() -> tuple[CoverageResult, gpd.GeoDataFrame]:
    """8 x 8 cells of 500 m, one 4 x 4 km commune; uncovered: a 2 x 4 block and four strays."""
    covered = np.ones((1, 8, 8), dtype=bool)
    covered[0, :2, :4] = False
    for r, c in STRAYS:
        covered[0, r, c] = False
    communes = gpd.GeoDataFrame(
        {"commune_id": ["a"], "name": ["Y Tý"]}, geometry=[box(0, 0, 4000, 4000)], crs=UTM48N
    )
    return _result(covered), communes


def _stray_people() -> np.ndarray:
    people = np.zeros((8, 8))
    for r, c in STRAYS:
        people[r, c] = 100.0
    return people


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    covered=arrays(np.bool_, st.tuples(st.integers(1, 2), st.integers(3, 9), st.integers(3, 9))),
    min_area_km2=st.sampled_from([0.0, 0.05, 0.25, 0.3, 1.0, 100.0]),
    seed=st.integers(0, 2**16),
)
@example(  # a fine-pixel centre on a commune border: pieces rasterised alone lost it
    covered=np.arange(28).reshape(1, 4, 7) == 11, min_area_km2=0.0, seed=0
)
def test_gap_rows_add_up_for_any_coverage_and_min_area(covered, min_area_km2, seed) -> None:
    result = _result(covered)
    rows, cols = covered.shape[1:]
    communes = _communes(rows, cols)
    rng = np.random.default_rng(seed)
    people = population_on_grid(
        rng.gamma(0.5, 40.0, (rows, cols)),
        source_transform=result.transform,
        source_crs=UTM48N,
        grid=result.grid,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a commune may lie off a tiny grid
        table, gaps = _gap_lists(result, communes, people, min_area_km2)
    assert_gap_lists_add_up(table, gaps)
    assert_contiguous_areas_lie_in_their_communes(table, gaps)
    small = gaps[gaps["kind"] == "scattered"]
    assert ((small["area_km2"] / small["pieces"]) < max(min_area_km2, 1e-12)).all()


def test_demo_gap_lists_add_up() -> None:
    """The embedded Lào Cai demo, a quarter of its towers: rows add up for every operator."""
    from coverage import datasets, open_terrain, read_communes, read_towers
    from coverage.analysis import analyse

    demo = datasets.laocai_demo()
    communes = read_communes(demo.communes, province="Lào Cai")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo's default beamwidths
        towers = read_towers(demo.towers)
        run = analyse(
            communes,
            towers.iloc[::4],
            open_terrain(demo.terrain),
            population_column="dan_so",
            radius_m=8_000,
        )
    assert set(run.gaps["kind"]) == {"area", "scattered"}
    assert_gap_lists_add_up(run.communes, run.gaps)
    assert_contiguous_areas_lie_in_their_communes(run.communes, run.gaps)
    assert run.gaps["contiguous_area_km2"].max() <= run.communes["area_km2"].sum()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson", ".gpkg"])
def test_scattered_rows_are_named_in_every_gap_list_format(suffix, tmp_path) -> None:
    from openpyxl import load_workbook

    from coverage.io.gaplists import write_gap_list

    result, communes = _block_and_strays()
    gaps = gap_polygons(result, communes=communes, operator="Viettel", min_area_km2=0.5)
    path = write_gap_list(gaps, None, tmp_path / f"gaps{suffix}")
    if suffix == ".csv":
        back = pd.read_csv(path, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        sheet = load_workbook(path)["all operators"]
        values = list(sheet.values)
        back = pd.DataFrame(values[1:], columns=values[0])
    else:
        back = gpd.read_file(path)
        assert shapely.get_num_geometries(back.geometry.array).tolist() == [1, 4]
    # ranked by people (none here), then area: the 2 km2 block first, then the scattered cells
    assert back["kind"].tolist() == ["area", "scattered"]
    assert back["pieces"].tolist() == [1, 4]
    assert back["area_id"].isna().tolist() == [False, True]
    assert back["contiguous_area_km2"].isna().tolist() == [False, True]


def test_the_map_popup_says_which_rows_are_scattered() -> None:
    from coverage.render.layers import gap_layers

    result, communes = _block_and_strays()
    gaps = gap_polygons(result, communes=communes, operator="Viettel", min_area_km2=0.5)
    (layer,) = gap_layers(gaps, {"Viettel": "#ff0000"}, result=result)
    fields = {field["label"]: field["key"] for field in layer.data["fields"]}
    shown = {f["r"]: (f[fields["kind"]], f[fields["pieces"]]) for f in layer.data["features"]}
    assert shown == {1: ("area", 1), 2: ("scattered", 4)}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    covered=arrays(np.bool_, st.tuples(st.integers(3, 12), st.integers(3, 12))),
    cell_m=st.sampled_from([30.0, 100.0, 500.0]),
    seed=st.integers(0, 2**16),
)
def test_piece_cells_are_the_pieces_rasterised(covered, cell_m, seed) -> None:
    """Pieces alone in their (area, commune) take that pair's cells from the communes' table;
    the others are rasterised: the same sums, maxima and cells, to the last bit, as
    rasterising every piece (borders placed off every fine-pixel centre)."""
    assert_piece_cells_are_rasterised(covered, cell_m, seed)


def test_piece_cells_of_pairs_with_several_pieces() -> None:
    """A strip crossing the third commune leaves the second commune's part in two pieces."""
    covered = np.ones((12, 12), dtype=bool)
    covered[8] = False
    assert assert_piece_cells_are_rasterised(covered, 100.0, 1) > 0


def assert_piece_cells_are_rasterised(covered: np.ndarray, cell_m: float, seed: int) -> int:
    """:func:`piece_cells` against rasterising every piece; the number of shared pairs."""
    from scipy import ndimage

    from coverage.gaps.pieces import cut_by_communes, piece_cells, uncovered_pairs, vectorise
    from coverage.zonal import commune_fractions

    rows, cols = covered.shape
    grid = Grid(UTM48N, Affine(cell_m, 0, 0, 0, -cell_m, rows * cell_m), (rows, cols))
    w, h = cols * cell_m * 1.000137, rows * cell_m * 0.999713
    communes = gpd.GeoDataFrame(
        geometry=[
            Polygon([(-1.3, -0.7), (0.55 * w, 0), (0.3 * w, 0.8 * h), (0.1, 0.6 * h)]),
            Polygon([(0.55 * w, 0), (0.9 * w, 0.1 * h), (0.7 * w, 0.7 * h), (0.3 * w, 0.8 * h)]),
            Polygon([(0.62 * w, 0.2 * h), (0.7 * w, 0.2 * h), (0.7 * w, 0.4 * h)]),  # overlaps
        ],
        crs=UTM48N,
    )
    on_grid = communes_on_grid(communes, grid)
    areas, _ = ndimage.label(~covered)
    area_ids, pieces, area_of_piece, commune_of_piece = cut_by_communes(
        vectorise(areas, grid), on_grid.communes, on_grid.borders
    )
    pair_of_piece = area_ids[area_of_piece] * len(communes) + commune_of_piece
    pairs = uncovered_pairs(on_grid.fractions, areas)
    mine = piece_cells(on_grid.fractions, pairs, pair_of_piece, pieces, grid)
    theirs = commune_fractions(
        gpd.GeoDataFrame(geometry=pieces, crs=UTM48N),
        grid=grid,
        supersample=on_grid.fractions.supersample,
    )
    values = np.random.default_rng(seed).gamma(0.5, 40.0, (rows, cols))
    values[0, 0] = np.nan
    assert mine.n_zones == theirs.n_zones == len(pieces)
    assert np.array_equal(
        mine.zone_sum(np.nan_to_num(values)), theirs.zone_sum(np.nan_to_num(values))
    )
    assert np.array_equal(mine.zone_cells(), theirs.zone_cells())
    for got, expected in zip(mine.zone_max(values), theirs.zone_max(values), strict=True):
        assert np.array_equal(got, expected, equal_nan=True)
    return int((np.unique(pair_of_piece, return_counts=True)[1] > 1).sum())
