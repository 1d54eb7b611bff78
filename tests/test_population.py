"""Population on the working grid: areal weighting, commune spreading, coverage checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from hypothesis import given, settings, strategies as st
from shapely.geometry import box

from coverage.errors import InputFileError, SchemaError
from coverage.grid import Grid
from coverage.io.population import population_on_grid
from coverage.population import population_from_communes

UTM48N = "EPSG:32648"


def _communes_2025(laocai_dir) -> gpd.GeoDataFrame:
    frame = gpd.read_file(laocai_dir / "communes_2025.geojson")
    return frame.rename(columns={"ma_xa": "commune_id", "ten_xa": "name"}).assign(
        district="", province="Lào Cai"
    )


def _grid_over(frame: gpd.GeoDataFrame, resolution_m: float = 250.0, margin_m: float = 2000.0):
    left, bottom, right, top = frame.to_crs(UTM48N).total_bounds
    x0 = np.floor((left - margin_m) / resolution_m) * resolution_m
    y0 = np.ceil((top + margin_m) / resolution_m) * resolution_m
    cols = int(np.ceil((right + margin_m - x0) / resolution_m))
    rows = int(np.ceil((y0 - bottom + margin_m) / resolution_m))
    return Grid(UTM48N, Affine(resolution_m, 0, x0, 0, -resolution_m, y0), (rows, cols))


@pytest.fixture(scope="module")
def communes(laocai_dir) -> gpd.GeoDataFrame:
    return _communes_2025(laocai_dir)


def test_aligned_upsampling_splits_each_pixel_evenly() -> None:
    source = np.array([[100.0, 40.0], [0.0, 8.0]])
    grid = population_on_grid(
        source,
        source_transform=Affine(1000, 0, 0, 0, -1000, 2000),
        source_crs=UTM48N,
        grid=Grid(UTM48N, Affine(250, 0, 0, 0, -250, 2000), (8, 8)),
    )
    assert grid.people[:4, :4] == pytest.approx(np.full((4, 4), 100 / 16))
    assert grid.people[4:, 4:] == pytest.approx(np.full((4, 4), 8 / 16))
    assert grid.total == pytest.approx(148.0)
    assert grid.method == "areal_weighting" and grid.metadata["crude"] is False
    assert grid.crs.to_epsg() == 32648 and grid.transform == Affine(250, 0, 0, 0, -250, 2000)


@settings(max_examples=25, deadline=None)
@given(
    dx=st.floats(0, 999),
    dy=st.floats(0, 999),
    cell=st.sampled_from([90.0, 250.0, 400.0]),
    seed=st.integers(0, 2**16),
)
def test_totals_preserved_on_a_shifted_grid(dx: float, dy: float, cell: float, seed: int) -> None:
    """Every source pixel wholly inside the grid hands out exactly its people."""
    rng = np.random.default_rng(seed)
    source = rng.uniform(0, 500, (6, 6))
    source[0, :] = source[-1, :] = source[:, 0] = source[:, -1] = 0  # ring outside the grid
    n = int(np.ceil(4000 / cell)) + 2
    grid = population_on_grid(
        source,
        source_transform=Affine(1000, 0, 0, 0, -1000, 6000),
        source_crs=UTM48N,
        grid=Grid(
            UTM48N,
            Affine(cell, 0, 1000 - cell + dx / 1000 * cell, 0, -cell, 5000 + dy / 1000 * cell),
            (n, n),
        ),
    )
    assert grid.total == pytest.approx(source.sum(), rel=1e-9)
    assert grid.metadata["outside_grid"] == pytest.approx(0.0, abs=1e-6)


def test_edge_pixels_hand_out_only_their_share_inside() -> None:
    source = np.full((1, 1), 1000.0)  # one 1 km pixel, the grid covers its western half
    grid = population_on_grid(
        source,
        source_transform=Affine(1000, 0, 0, 0, -1000, 1000),
        source_crs=UTM48N,
        grid=Grid(UTM48N, Affine(100, 0, 0, 0, -100, 1000), (10, 5)),
    )
    assert grid.total == pytest.approx(500.0)
    assert grid.metadata["outside_grid"] == pytest.approx(500.0)


def test_nodata_and_negative_values_are_unknown_not_people() -> None:
    source = np.array([[-99999.0, 10.0], [np.nan, -3.0]])
    grid = population_on_grid(
        source,
        source_transform=Affine(500, 0, 0, 0, -500, 1000),
        source_crs=UTM48N,
        grid=Grid(UTM48N, Affine(500, 0, 0, 0, -500, 1000), (2, 2)),
    )
    assert grid.people.tolist() == [[0.0, 10.0], [0.0, 0.0]]
    assert grid.known_share.tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_real_worldpop_reprojected_keeps_the_total(laocai_dir, communes) -> None:
    working = _grid_over(communes)
    grid = population_on_grid(
        laocai_dir / "worldpop_2020_1km_laocai.tif", grid=working, communes=communes
    )
    meta = grid.metadata
    assert grid.crs.to_epsg() == 32648 and grid.shape == working.shape
    # the grid's total plus what fell outside its edge is the source over the grid
    assert grid.total + meta["outside_grid"] == pytest.approx(meta["source_total"], rel=1e-9)
    assert 0 <= meta["outside_grid"] < 0.01 * meta["source_total"]
    assert meta["samples_per_cell"] >= 2  # spacing at most a quarter of a ~860 m pixel


def test_raster_not_covering_communes_names_them(laocai_dir, communes) -> None:
    with rasterio.open(laocai_dir / "worldpop_2020_1km_laocai.tif") as src:
        north_half = src.read(1)[:100]  # 21.2-22.95 N cut at about 22.12 N
        transform, crs = src.transform, src.crs.to_wkt()
    with pytest.raises(InputFileError) as caught:
        population_on_grid(
            north_half,
            source_transform=transform,
            source_crs=crs,
            grid=_grid_over(communes),
            communes=communes,
        )
    message = str(caught.value)
    assert (
        "Âu Lâu" in message and "Yên Bình" in message and "outside the raster" in message
    )  # far south (21.7 N)
    assert "Y Tý" not in message  # far north, covered


def test_mostly_nodata_commune_is_not_covered() -> None:
    commune = gpd.GeoDataFrame(
        {"name": ["Mường Hum"]}, geometry=[box(0, 0, 1000, 1000)], crs=UTM48N
    )
    source = np.full((2, 2), -99999.0)
    source[0, 0] = 50.0
    with pytest.raises(InputFileError, match="Mường Hum .75% on nodata"):
        population_on_grid(
            source,
            source_transform=Affine(500, 0, 0, 0, -500, 1000),
            source_crs=UTM48N,
            grid=Grid(UTM48N, Affine(100, 0, 0, 0, -100, 1000), (10, 10)),
            communes=commune,
        )


def test_population_from_communes_is_flagged_crude_and_conserves(communes) -> None:
    grid = population_from_communes(
        communes, "dan_so", grid=_grid_over(communes, resolution_m=500.0)
    )
    assert grid.method == "commune_area_spread" and grid.metadata["crude"] is True
    assert grid.total == pytest.approx(communes["dan_so"].sum(), rel=1e-9)


def test_population_from_communes_spreads_by_area() -> None:
    two = gpd.GeoDataFrame(
        {"dan_so": [300.0, 100.0]},
        geometry=[box(0, 0, 300, 100), box(300, 0, 500, 100)],  # 3 cells and 2 cells
        crs=UTM48N,
    )
    grid = population_from_communes(
        two, "dan_so", grid=Grid(UTM48N, Affine(100, 0, 0, 0, -100, 100), (1, 4))
    )
    # the 4-cell grid stops at x = 400: the second commune keeps half its people
    assert grid.people.tolist() == [[100.0, 100.0, 100.0, 50.0]]
    assert grid.metadata["outside_grid"] == pytest.approx(50.0)


def test_population_from_communes_rejects_bad_values() -> None:
    frame = gpd.GeoDataFrame({"dan_so": ["many"]}, geometry=[box(0, 0, 10, 10)], crs=UTM48N)
    with pytest.raises(SchemaError, match="'dan_so'.*rows 0"):
        population_from_communes(
            frame, "dan_so", grid=Grid(UTM48N, Affine(5, 0, 0, 0, -5, 10), (2, 2))
        )
    with pytest.raises(SchemaError, match="no column 'pop'"):
        population_from_communes(
            frame, "pop", grid=Grid(UTM48N, Affine(5, 0, 0, 0, -5, 10), (2, 2))
        )


def test_grid_mismatch_is_refused() -> None:
    grid = population_on_grid(
        np.ones((2, 2)),
        source_transform=Affine(500, 0, 0, 0, -500, 1000),
        source_crs=UTM48N,
        grid=Grid(UTM48N, Affine(500, 0, 0, 0, -500, 1000), (2, 2)),
    )
    grid.check_grid(Grid(UTM48N, Affine(500, 0, 0, 0, -500, 1000), (2, 2)), what="x")
    with pytest.raises(SchemaError, match="population_on_grid"):
        grid.check_grid(
            Grid(UTM48N, Affine(250, 0, 0, 0, -250, 1000), (4, 4)), what="the coverage result"
        )


def test_cells_at_the_grid_far_edge_get_their_pixels_from_a_file(tmp_path) -> None:
    """The window read around the grid reaches its far edges (here 0.38 pixel into column 4)."""
    path = tmp_path / "flat.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
        crs=UTM48N, transform=Affine(1000, 0, 0, 0, -1000, 10_000), nodata=-99999.0,
    ) as dst:  # fmt: skip
        dst.write(np.full((10, 10), 100.0, np.float32), 1)  # 100 people per km2
    grid = Grid(UTM48N, Affine(249, 0, 1890, 0, -249, 9000), (4, 10))  # x 1890..4380 m
    people = population_on_grid(path, grid=grid)
    assert people.known_share.min() == 1.0
    np.testing.assert_allclose(people.people, 100.0 * 0.249**2, rtol=1e-9)


def test_population_raster_denser_than_anywhere_on_earth_is_refused(tmp_path) -> None:
    path = tmp_path / "people.tif"
    profile = {"driver": "GTiff", "width": 4, "height": 4, "count": 1, "dtype": "float64",
               "crs": UTM48N, "transform": Affine(100, 0, 0, 0, -100, 400)}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.full((1, 4, 4), 1e30))
    grid = Grid(UTM48N, Affine(100, 0, 0, 0, -100, 400), (4, 4))
    with pytest.raises(InputFileError, match=r"people\.tif: 1e\+30 people in one pixel"):
        population_on_grid(path, grid=grid)
