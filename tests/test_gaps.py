"""Per-commune coverage and gap polygons on the real Lào Cai communes and WorldPop."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import rasterio.features
import rasterio.mask
import shapely
from affine import Affine
from rasterio.io import MemoryFile
from shapely.geometry import box

from coverage.errors import OutsideGridWarning, SchemaError
from coverage.gaps import NO_OPERATOR, commune_coverage, coverage_masks, gap_polygons
from coverage.grid import Grid
from coverage.io.population import population_on_grid
from coverage.model import CoverageResult
from coverage.terrain import Terrain

UTM48N = "EPSG:32648"
RESOLUTION_M = 250.0


def _grid_over(frame: gpd.GeoDataFrame, margin_m: float = 2000.0):
    left, bottom, right, top = frame.to_crs(UTM48N).total_bounds
    x0 = np.floor((left - margin_m) / RESOLUTION_M) * RESOLUTION_M
    y0 = np.ceil((top + margin_m) / RESOLUTION_M) * RESOLUTION_M
    cols = int(np.ceil((right + margin_m - x0) / RESOLUTION_M))
    rows = int(np.ceil((y0 - bottom + margin_m) / RESOLUTION_M))
    return Affine(RESOLUTION_M, 0, x0, 0, -RESOLUTION_M, y0), (rows, cols)


def _disc_result(transform: Affine, shape: tuple[int, int], towers: gpd.GeoDataFrame):
    """Synthetic coverage: power falls with distance; each layer covers discs around its sites."""
    rows, cols = shape
    col, row = np.meshgrid(np.arange(cols) + 0.5, np.arange(rows) + 0.5)
    x, y = transform @ (col, row)
    layers = (
        towers[["operator", "technology"]]
        .drop_duplicates()
        .reset_index(drop=True)
        .assign(threshold_dbm=-100.0)
    )
    power = np.full((len(layers), rows, cols), np.nan, dtype=np.float32)
    serving = np.full(power.shape, -1, dtype=np.int32)
    for i, layer in layers.iterrows():
        own = np.flatnonzero(
            (towers["operator"] == layer.operator) & (towers["technology"] == layer.technology)
        )
        for site in own:
            distance_m = np.hypot(
                x - towers.geometry.x.iloc[site], y - towers.geometry.y.iloc[site]
            )
            radius_m = towers["radius_m"].iloc[site]
            dbm = (-100.0 + 30.0 * (1 - distance_m / radius_m)).astype(np.float32)
            better = ~(dbm <= power[i])
            power[i][better] = dbm[better]
            serving[i][better] = site
    return CoverageResult(
        power, serving, layers, np.zeros(shape, np.uint8), Grid(UTM48N, transform, shape), towers
    )


@pytest.fixture(scope="module")
def communes(laocai_dir) -> gpd.GeoDataFrame:
    frame = gpd.read_file(laocai_dir / "communes_2025.geojson")
    return frame.rename(columns={"ma_xa": "commune_id", "ten_xa": "name"}).assign(
        district="", province="Lào Cai"
    )


@pytest.fixture(scope="module")
def old_communes(laocai_dir) -> gpd.GeoDataFrame:
    frame = gpd.read_file(laocai_dir / "communes_pre2025_gadm41.geojson")
    return frame.rename(columns={"GID_3": "commune_id", "NAME_3": "name", "NAME_2": "district"})


@pytest.fixture(scope="module")
def grid(communes):
    return _grid_over(communes)


@pytest.fixture(scope="module")
def population(laocai_dir, communes, grid):
    transform, shape = grid
    return population_on_grid(
        laocai_dir / "worldpop_2020_1km_laocai.tif",
        grid=Grid(UTM48N, transform, shape),
        communes=communes,
    )


@pytest.fixture(scope="module")
def towers(communes) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    left, bottom, right, top = communes.to_crs(UTM48N).total_bounds
    n = 36
    return gpd.GeoDataFrame(
        {
            "site_id": [f"S{i:03d}" for i in range(n)],
            "operator": np.array(["Viettel", "VNPT", "MobiFone"])[np.arange(n) % 3],
            "technology": np.array(["4G", "2G"])[(np.arange(n) // 3) % 2],
            "radius_m": rng.uniform(4000, 12000, n),
        },
        geometry=gpd.points_from_xy(rng.uniform(left, right, n), rng.uniform(bottom, top, n)),
        crs=UTM48N,
    )


@pytest.fixture(scope="module")
def result(grid, towers) -> CoverageResult:
    return _disc_result(*grid, towers)


@pytest.fixture(scope="module")
def table(communes, result, population) -> gpd.GeoDataFrame:
    return commune_coverage(communes, result, population=population)


def test_table_keeps_the_communes_index_geometry_and_names(communes, table) -> None:
    assert table.index.equals(communes.index)
    assert table.crs == communes.crs and table.geometry.geom_equals(communes.geometry).all()
    assert table["name"].tolist() == communes["name"].tolist()
    assert (table["status"] == "complete").all()
    assert table["area_km2"].to_numpy() == pytest.approx(
        communes.to_crs(UTM48N).area.to_numpy() / 1e6
    )
    for key in ("any", "viettel", "vnpt_2g", "mobifone_4g"):
        assert {f"covered_share_{key}", f"uncovered_population_{key}"} <= set(table.columns)


def test_covered_plus_uncovered_is_the_population_of_every_commune(table) -> None:
    for key in ("any", "viettel", "vnpt", "mobifone", "viettel_4g", "vnpt_2g"):
        both = table[f"covered_population_{key}"] + table[f"uncovered_population_{key}"]
        assert both.to_numpy() == pytest.approx(table["population"].to_numpy(), rel=0.005)
    shares = table["covered_share_any"]
    assert ((shares >= 0) & (shares <= 1)).all() and 0.02 < shares.mean() < 0.98


def test_commune_populations_sum_to_worldpop_inside_the_province(laocai_dir, communes, table):
    """Reference: the source raster cut in 10 x 10 sub-pixels, masked by the province."""
    with rasterio.open(laocai_dir / "worldpop_2020_1km_laocai.tif") as src:
        people = src.read(1).astype(float)
        transform = src.transform
    people[people < 0] = 0.0
    k = 10
    fine = np.kron(people, np.ones((k, k))) / k**2
    inside = rasterio.features.geometry_mask(
        [communes.union_all()], fine.shape, transform @ Affine.scale(1 / k), invert=True
    )
    reference = fine[inside].sum()
    assert table["population"].sum() == pytest.approx(reference, rel=0.01)


# rasterio.mask.mask itself still multiplies an Affine with `*` (affine 3.x pending
# deprecation); that warning is rasterio's, not ours
_RASTERIO_MASK_AFFINE = pytest.mark.filterwarnings(
    "ignore:Use `@` matmul instead of `\\*` mul operator:PendingDeprecationWarning"
)


def _apart(frame: gpd.GeoDataFrame, step: int, start: int = 0) -> gpd.GeoDataFrame:
    """Every ``step``-th commune, skipping any that overlaps one already taken (the
    simplified real borders overlap a little, and an overlap is counted for one commune
    only by commune_coverage, but for both by separate rasterio.mask calls)."""
    taken: list[int] = []
    for position in range(start, len(frame), step):
        geometry = frame.geometry.iloc[position]
        if all(geometry.intersection(frame.geometry.iloc[t]).area == 0 for t in taken):
            taken.append(position)
    return frame.iloc[taken]


def _masked_sums(people: np.ndarray, transform: Affine, geometries) -> np.ndarray:
    profile = dict(
        driver="GTiff",
        height=people.shape[0],
        width=people.shape[1],
        count=1,
        dtype="float64",
        crs=UTM48N,
        transform=transform,
        nodata=None,
    )
    sums = []
    with MemoryFile() as memory, memory.open(**profile) as dataset:
        dataset.write(people, 1)
        for geometry in geometries:
            masked, _ = rasterio.mask.mask(dataset, [geometry], crop=True, filled=False)
            sums.append(float(masked.sum()))
    return np.array(sums)


@_RASTERIO_MASK_AFFINE
def test_figures_equal_an_independent_rasterio_mask_zonal_sum(communes, result, population):
    """With one sample per cell, a commune owns the cells whose centre it holds: exactly
    what rasterio.mask.mask (all_touched=False) sums."""
    some = _apart(communes, 7)
    table = commune_coverage(some, result, population=population, supersample=1)
    geometries = some.to_crs(UTM48N).geometry.tolist()
    covered = coverage_masks(result)[("Viettel", None)]
    expected_all = _masked_sums(population.people, result.transform, geometries)
    expected_covered = _masked_sums(
        np.where(covered, population.people, 0.0), result.transform, geometries
    )
    assert table["population"].to_numpy() == pytest.approx(expected_all, rel=1e-9)
    assert table["covered_population_viettel"].to_numpy() == pytest.approx(
        expected_covered, rel=1e-9, abs=1e-6
    )


@_RASTERIO_MASK_AFFINE
def test_fine_shares_equal_rasterio_mask_on_the_supersampled_raster(communes, result, population):
    """Default 4 x 4 fine pixels per 250 m cell = rasterio.mask on a 62.5 m raster."""
    some = _apart(communes, 11, start=3)
    table = commune_coverage(some, result, population=population)
    k = 4
    fine = np.kron(population.people, np.ones((k, k))) / k**2
    uncovered = np.kron(~result.covered_any, np.ones((k, k), dtype=bool))
    expected = _masked_sums(
        np.where(uncovered, fine, 0.0),
        result.transform @ Affine.scale(1 / k),
        some.to_crs(UTM48N).geometry.tolist(),
    )
    assert table["uncovered_population_any"].to_numpy() == pytest.approx(expected, rel=1e-9)


def test_communes_in_another_crs_are_reprojected(communes, result, population, table) -> None:
    vn2000 = communes.to_crs("EPSG:3405")  # VN-2000 / UTM zone 48N
    other = commune_coverage(vn2000, result, population=population)
    assert other.crs == vn2000.crs and other.index.equals(communes.index)
    assert other["population"].to_numpy() == pytest.approx(table["population"], rel=0.01)
    assert other["population"].sum() == pytest.approx(table["population"].sum(), rel=1e-3)


def test_pre2025_communes_work(old_communes, result, population) -> None:
    old = commune_coverage(old_communes, result, population=population)
    assert len(old) == 164 and (old["status"] == "complete").all()
    assert old["population"].gt(0).all()
    both = old["covered_population_any"] + old["uncovered_population_any"]
    assert both.to_numpy() == pytest.approx(old["population"].to_numpy(), rel=0.005)


def test_a_commune_off_the_grid_is_not_computed_never_zero(result, population) -> None:
    far = gpd.GeoDataFrame(
        {"name": ["Hà Nội", "Edge"]},
        geometry=[box(580_000, 2_320_000, 590_000, 2_330_000), box(0, 0, 1, 1)],
        crs=UTM48N,
    )
    x0, y0 = result.transform.c, result.transform.f
    far.loc[1, "geometry"] = box(x0 - 1000, y0 - 2000, x0 + 1000, y0)  # half on the grid
    with pytest.warns(OutsideGridWarning, match="1 of 2 commune"):
        out = commune_coverage(far, result, population=population)
    assert out.loc[0, "status"] == "not computed: outside the grid"
    assert np.isnan(
        out.loc[0, ["population", "covered_area_km2_any", "covered_share_any"]].astype(float)
    ).all()
    assert pd.isna(out.loc[0, "n_operators_present"])
    assert out.loc[1, "status"].startswith("partial: 50%")
    assert out.loc[1, "area_in_grid_km2"] == pytest.approx(2.0)


def test_zero_layers_make_everything_a_gap(communes, grid, population) -> None:
    transform, shape = grid
    empty = CoverageResult(
        np.zeros((0, *shape), np.float32),
        np.zeros((0, *shape), np.int32),
        pd.DataFrame(columns=["operator", "technology", "threshold_dbm"]),
        np.zeros(shape, np.uint8),
        Grid(UTM48N, transform, shape),
        gpd.GeoDataFrame({"site_id": [], "operator": []}, geometry=[], crs=UTM48N),
    )
    table = commune_coverage(communes, empty, population=population)
    assert (table["covered_share_any"] == 0).all()
    assert table["uncovered_population_any"].to_numpy() == pytest.approx(table["population"])
    assert (table["n_operators_present"] == 0).all()
    gaps = gap_polygons(empty, communes=communes, population=population)
    assert gaps["operator"].eq(NO_OPERATOR).all()
    assert gaps["area_km2"].sum() == pytest.approx(
        communes.to_crs(UTM48N).union_all().area / 1e6,
        rel=1e-6,  # overlaps counted once
    )
    assert gaps["people"].sum() == pytest.approx(table["population"].sum(), rel=1e-9)
    with pytest.raises(SchemaError, match="no layers"):
        gap_polygons(empty, communes=communes, operator="Viettel")


@pytest.fixture(scope="module")
def viettel_gaps(communes, old_communes, result, population, grid):
    transform, shape = grid
    rows, cols = shape
    col, _ = np.meshgrid(np.arange(cols), np.arange(rows))
    terrain = Terrain.from_array(100.0 + col, transform=transform, crs=UTM48N)  # rises eastwards
    return gap_polygons(
        result,
        communes=communes,
        population=population,
        terrain=terrain,
        operator="Viettel",
        previous_communes=old_communes,
    )


def test_gap_people_add_up_to_the_uncovered_people(viettel_gaps, table, population, result):
    kept = viettel_gaps["people"].sum()
    assert kept == pytest.approx(table["uncovered_population_viettel"].sum(), rel=1e-9)
    uncovered_total = population.people[~coverage_masks(result)[("Viettel", None)]].sum()
    outside = viettel_gaps.attrs["dropped"]["outside_communes_people"]
    assert kept + outside == pytest.approx(uncovered_total, rel=1e-9)
    per_commune = viettel_gaps.groupby("commune_id")["people"].sum()
    expected = table.set_index("commune_id")["uncovered_population_viettel"]
    expected = expected[expected > 0]
    pd.testing.assert_series_equal(
        per_commune.reindex(expected.index), expected, check_names=False, rtol=1e-9
    )


def test_gaps_are_ranked_and_described(viettel_gaps, communes, result) -> None:
    gaps = viettel_gaps
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert gaps["people"].is_monotonic_decreasing
    assert gaps["gap_id"].iloc[0] == "viettel-0001" and (gaps["operator"] == "Viettel").all()
    assert gaps.crs == result.crs
    areas = gaps["kind"] == "area"
    assert (gaps.loc[areas, "area_km2"] >= 0.1).all() and (gaps.loc[areas, "pieces"] == 1).all()
    assert set(gaps.geom_type[areas]) == {"Polygon"}
    assert set(gaps.geom_type[~areas]) == {"MultiPolygon"} and gaps["area_id"][~areas].isna().all()
    assert gaps["commune_name"].isin(communes["name"]).all()
    # each piece lies in its commune
    by_id = communes.to_crs(UTM48N).set_index("commune_id").geometry
    inside = shapely.area(
        shapely.intersection(gaps.geometry.array, by_id.loc[gaps["commune_id"]].array)
    )
    assert inside == pytest.approx(shapely.area(gaps.geometry.array), rel=1e-6)
    # centroids in degrees inside Lào Cai
    assert gaps["centroid_lat"].between(21.3, 22.9).all()
    assert gaps["centroid_lon"].between(103.5, 105.2).all()
    # highest ground on an eastward ramp: the piece's easternmost cell (NaN: a scattered row of
    # slivers holding no fine-pixel centre, hence no cell, and no people)
    known = gaps["highest_ground_m"].notna()
    assert (gaps.loc[~known, "kind"] == "scattered").all()
    assert (gaps.loc[~known, "people"] == 0).all()
    east = gaps.geometry.bounds["maxx"][known]
    highest_col = gaps["highest_ground_m"][known] - 100.0
    cell_centre_x = result.transform.c + (highest_col + 0.5) * RESOLUTION_M
    assert (cell_centre_x <= east + RESOLUTION_M).all()
    assert (cell_centre_x >= east - 2 * RESOLUTION_M).all()
    # pre-2025 labels where the old communes exist (old Lào Cai, not old Yên Bái)
    assert gaps["previous_commune_name"].notna().sum() > len(gaps) / 3


def test_nearest_site_is_the_nearest(viettel_gaps, towers) -> None:
    gaps = viettel_gaps.iloc[:20]
    for operator, key in (("Viettel", "viettel"), ("MobiFone", "mobifone")):
        own = towers[towers["operator"] == operator]
        distances = np.array(
            [[geometry.distance(site) for site in own.geometry] for geometry in gaps.geometry]
        )
        assert gaps[f"nearest_site_km_{key}"].to_numpy() == pytest.approx(
            distances.min(axis=1) / 1000
        )
        assert (
            gaps[f"nearest_site_{key}"].to_numpy()
            == own["site_id"].to_numpy()[distances.argmin(axis=1)]
        ).all()


def test_small_pieces_become_one_scattered_row_per_commune(
    communes, result, population, caplog
) -> None:
    with caplog.at_level(logging.INFO, logger="coverage.gaps"):
        small = gap_polygons(result, communes=communes, population=population, min_area_km2=0.0)
        large = gap_polygons(result, communes=communes, population=population, min_area_km2=5.0)
    assert "scattered row" in caplog.text
    assert set(small["kind"]) == {"area"} and set(large["kind"]) == {"area", "scattered"}
    scattered = large[large["kind"] == "scattered"]
    assert scattered["commune_id"].is_unique
    assert (scattered["area_km2"] / scattered["pieces"] < 5.0).all()
    assert (large.loc[large["kind"] == "area", "area_km2"] >= 5.0).all()
    # the same pieces, the same people, listed differently
    assert large["pieces"].sum() == len(small)
    assert large["people"].sum() == pytest.approx(small["people"].sum(), rel=1e-9)
    assert large["area_km2"].sum() == pytest.approx(small["area_km2"].sum(), rel=1e-9)
    assert large["rank"].tolist() == list(range(1, len(large) + 1))
    assert large["gap_id"].is_unique


def test_small_exact_case() -> None:
    """Two 1 x 2 km communes; only the western half of the first is covered."""
    transform = Affine(500, 0, 0, 0, -500, 1000)
    power = np.full((1, 2, 8), np.nan, dtype=np.float32)
    power[0, :, :2] = -70.0
    layers = pd.DataFrame(
        {"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-100.0]}
    )
    towers = gpd.GeoDataFrame(
        {"site_id": ["A"], "operator": ["Viettel"]}, geometry=[shapely.Point(250, 500)], crs=UTM48N
    )
    result = CoverageResult(
        power,
        np.zeros((1, 2, 8), np.int32),
        layers,
        np.zeros((2, 8), np.uint8),
        Grid(UTM48N, transform, (2, 8)),
        towers,
    )
    communes = gpd.GeoDataFrame(
        {"commune_id": ["1", "2"], "name": ["Y Tý", "Mường Hum"]},
        geometry=[box(0, 0, 2000, 1000), box(2000, 0, 4000, 1000)],
        crs=UTM48N,
    )
    people = population_on_grid(
        np.full((2, 8), 10.0),
        source_transform=transform,
        source_crs=UTM48N,
        grid=Grid(UTM48N, transform, (2, 8)),
    )
    table = commune_coverage(communes, result, population=people)
    assert table["covered_area_km2_any"].tolist() == [1.0, 0.0]
    assert table["uncovered_population_viettel_4g"].tolist() == [40.0, 80.0]
    assert table["operators_present"].tolist() == ["Viettel", ""]
    gaps = gap_polygons(result, communes=communes, population=people, operator="Viettel")
    assert gaps[["commune_name", "area_km2", "people", "area_id"]].values.tolist() == [
        ["Mường Hum", 2.0, 80.0, 1],
        ["Y Tý", 1.0, 40.0, 1],
    ]
    assert gaps["contiguous_area_km2"].tolist() == [3.0, 3.0]
    assert gaps["nearest_site_km_viettel"].tolist() == pytest.approx([1.75, 0.75])
    with pytest.raises(SchemaError, match="operators present: Viettel"):
        gap_polygons(result, communes=communes, operator="Vietel")


def test_gaps_report_the_share_where_the_model_is_out_of_range() -> None:
    transform, shape = Affine(500, 0, 0, 0, -500, 4000), (8, 8)
    flags = np.zeros(shape, np.uint8)
    flags[:, :4] = 1  # e.g. Hata closer than 1 km to a site: west half flagged
    empty = CoverageResult(
        np.zeros((0, *shape), np.float32),
        np.zeros((0, *shape), np.int32),
        pd.DataFrame(columns=["operator", "technology", "threshold_dbm"]),
        flags,
        Grid(UTM48N, transform, shape),
        gpd.GeoDataFrame(geometry=[], crs=UTM48N),
    )
    communes = gpd.GeoDataFrame(
        {"name": ["West", "Whole"]},
        geometry=[box(0, 0, 2000, 4000), box(2000, 0, 4000, 4000)],
        crs=UTM48N,
    )
    gaps = gap_polygons(empty, communes=communes).set_index("commune_name")
    assert gaps.loc["West", "model_flagged_share"] == pytest.approx(1.0)
    assert gaps.loc["Whole", "model_flagged_share"] == pytest.approx(0.0)


def test_no_gap_at_all_gives_an_empty_list() -> None:
    transform, shape = Affine(500, 0, 0, 0, -500, 2000), (4, 4)
    covered = CoverageResult(
        np.full((1, *shape), -60.0, np.float32),
        np.zeros((1, *shape), np.int32),
        pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110.0]}),
        np.zeros(shape, np.uint8),
        Grid(UTM48N, transform, shape),
        gpd.GeoDataFrame(geometry=[], crs=UTM48N),
    )
    communes = gpd.GeoDataFrame({"name": ["Y Tý"]}, geometry=[box(0, 0, 2000, 2000)], crs=UTM48N)
    gaps = gap_polygons(covered, communes=communes)
    assert len(gaps) == 0 and "model_flagged_share" in gaps.columns
