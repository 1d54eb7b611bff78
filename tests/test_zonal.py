"""Zones on a grid: each cell's share per commune, overlaps, projection, prepared communes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from shapely.geometry import box

from coverage import zonal
from coverage.errors import CRSError, SchemaError
from coverage.grid import Grid
from coverage.zonal import (
    CommuneFractions,
    auto_supersample,
    commune_fractions,
    communes_on_grid,
    in_crs,
    without_overlaps,
)

UTM48N = "EPSG:32648"


def test_commune_fractions_keep_a_commune_smaller_than_a_cell() -> None:
    tiny = gpd.GeoDataFrame(geometry=[box(10, 10, 90, 90), box(100, 0, 1000, 1000)], crs=UTM48N)
    fractions = commune_fractions(
        tiny, grid=Grid(UTM48N, Affine(1000, 0, 0, 0, -1000, 1000), (1, 1)), supersample=16
    )
    areas = np.bincount(fractions.zone, weights=fractions.fraction, minlength=2)
    assert areas[0] > 0  # the 80 m square is not lost inside the 1 km cell
    # fine pixels are 62.5 m: one centre (31.25, 31.25) in the small square, 14 columns of
    # 16 east of x = 100 m
    assert areas == pytest.approx([1 / 256, 14 / 16])
    assert fractions.zone_cells() == pytest.approx(areas)
    assert auto_supersample(250.0) == 4 and auto_supersample(30.0) == 1


def test_overlaps_count_once_for_the_last_listed() -> None:
    grid = Grid(UTM48N, Affine(100, 0, 0, 0, -100, 100), (1, 3))
    overlapping = gpd.GeoDataFrame(
        geometry=[box(0, 0, 200, 100), box(100, 0, 300, 100)], crs=UTM48N
    )
    fractions = commune_fractions(overlapping, grid=grid, supersample=4)
    per_cell = np.bincount(fractions.cell, weights=fractions.fraction, minlength=3)
    assert per_cell.tolist() == [1.0, 1.0, 1.0]  # nobody counted twice
    assert fractions.zone_cells().tolist() == [1.0, 2.0]
    # the polygons without overlaps agree with the rasterisation
    borders = without_overlaps(np.asarray(overlapping.geometry.array))
    assert (shapely.area(borders) / 100**2).tolist() == [1.0, 2.0]


def test_zone_sum_weights_values_by_the_cell_shares() -> None:
    grid = Grid(UTM48N, Affine(100, 0, 0, 0, -100, 100), (1, 2))
    half = gpd.GeoDataFrame(geometry=[box(0, 0, 150, 100)], crs=UTM48N)
    fractions = commune_fractions(half, grid=grid, supersample=4)
    assert fractions.zone_sum(np.array([[10.0, 4.0]])).tolist() == [12.0]


def test_strips_give_the_same_table_as_one_pass(monkeypatch) -> None:
    grid = Grid(UTM48N, Affine(100, 0, 0, 0, -100, 1000), (10, 10))
    shapes = gpd.GeoDataFrame(
        geometry=[box(130, 170, 620, 880), shapely.Point(700, 300).buffer(250)], crs=UTM48N
    )
    whole = commune_fractions(shapes, grid=grid, supersample=4)
    monkeypatch.setattr(zonal, "MAX_SAMPLES_PER_STRIP", 1)  # one row of cells at a time
    strips = commune_fractions(shapes, grid=grid, supersample=4)
    key = np.lexsort((whole.zone, whole.cell))
    key_strips = np.lexsort((strips.zone, strips.cell))
    np.testing.assert_array_equal(whole.cell[key], strips.cell[key_strips])
    np.testing.assert_array_equal(whole.zone[key], strips.zone[key_strips])
    np.testing.assert_array_equal(whole.fraction[key], strips.fraction[key_strips])


def test_communes_in_another_crs_are_reprojected_and_a_missing_crs_is_named() -> None:
    grid = Grid(UTM48N, Affine(1000, 0, 400_000, 0, -1000, 2_480_000), (4, 4))
    utm = gpd.GeoDataFrame(geometry=[box(401_000, 2_477_000, 403_000, 2_479_000)], crs=UTM48N)
    lonlat = utm.to_crs("EPSG:4326")
    assert in_crs(utm, UTM48N, what="communes") is utm
    assert in_crs(lonlat, UTM48N, what="communes").crs == utm.crs
    same = commune_fractions(lonlat, grid=grid, supersample=8).zone_cells()
    assert same == pytest.approx(commune_fractions(utm, grid=grid, supersample=8).zone_cells())
    with pytest.raises(CRSError, match="communes has no coordinate reference system"):
        commune_fractions(utm.set_crs(None, allow_override=True), grid=grid)


def test_prepared_communes_serve_only_their_own_grid() -> None:
    grid = Grid(UTM48N, Affine(100, 0, 0, 0, -100, 200), (2, 2))
    communes = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(0, 0, 200, 200)], crs=UTM48N)
    ready = communes_on_grid(communes, grid)
    ready.check(communes, grid)
    assert ready.borders is ready.borders  # computed once
    assert ready.fractions.zone_cells().tolist() == [4.0]
    with pytest.raises(SchemaError, match="communes_on_grid"):
        ready.check(communes, grid.window(0, 0, 1, 2))
    with pytest.raises(SchemaError, match="communes_on_grid"):
        ready.check(gpd.GeoDataFrame(geometry=[], crs=UTM48N), grid)


def _zone_max_by_sorting(fractions: CommuneFractions, values: np.ndarray) -> tuple:
    """The former zone_max: a stable sort by zone then value, highest first (slower)."""
    highest = np.full(fractions.n_zones, np.nan)
    where = np.zeros(fractions.n_zones, dtype=np.int64)
    flat = np.asarray(values, dtype=np.float64).reshape(-1)[fractions.cell]
    finite = np.isfinite(flat)
    zone, cell, flat = fractions.zone[finite], fractions.cell[finite], flat[finite]
    order = np.lexsort((-flat, zone))
    first = np.ones(len(order), dtype=bool)
    first[1:] = zone[order][1:] != zone[order][:-1]
    top = order[first]
    highest[zone[top]] = flat[top]
    where[zone[top]] = cell[top]
    return highest, where


def test_zone_max_equals_the_sorting_reference_ties_and_signed_zeros_included() -> None:
    rng = np.random.default_rng(3)
    shape = (30, 40)
    for trial in range(60):
        n = int(rng.integers(1, 2500))
        n_zones = int(rng.integers(1, 30))
        cell = rng.integers(0, shape[0] * shape[1], n)
        zone = rng.integers(0, n_zones, n)
        if trial % 2:  # many ties, signed zeros, infinities and NaN
            values = rng.choice([-1.0, -0.0, 0.0, 2.0, 5.5, np.nan, np.inf, -np.inf], size=shape)
        else:
            values = np.round(rng.normal(0.0, 3.0, shape), 1)
        fractions = CommuneFractions(cell, zone, np.ones(n), n_zones, shape, 1)
        got, expected = fractions.zone_max(values), _zone_max_by_sorting(fractions, values)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(np.signbit(got[0]), np.signbit(expected[0]))
        np.testing.assert_array_equal(got[1], expected[1])


def test_fractions_do_not_depend_on_the_strips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Polygons are given only to the strips their rows reach: same shares as one strip."""
    rng = np.random.default_rng(7)
    polygons = [
        box(x, y, x + w, y + h)
        for x, y, w, h in zip(
            rng.uniform(0, 2_000, 60),
            rng.uniform(0, 2_000, 60),
            rng.uniform(20, 700, 60),
            rng.uniform(20, 700, 60),
            strict=True,
        )
    ]  # overlapping: the last listed wins a fine pixel, whichever strip it falls in
    frame = gpd.GeoDataFrame(geometry=polygons, crs="EPSG:32648")
    grid = Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 2_500), (27, 25))
    whole = zonal.commune_fractions(frame, grid=grid, supersample=4)
    monkeypatch.setattr(zonal, "MAX_SAMPLES_PER_STRIP", 25 * 16 * 2)  # strips of two rows
    strips = zonal.commune_fractions(frame, grid=grid, supersample=4)
    a, b = (np.lexsort((f.zone, f.cell)) for f in (whole, strips))  # strips list by strip
    for name in ("cell", "zone", "fraction"):
        assert np.array_equal(getattr(whole, name)[a], getattr(strips, name)[b]), name
    assert len(set(whole.zone)) > 40


def test_geojson_of_polygons_is_shapelys_mapping() -> None:
    """Read with shapely's array functions: the coordinates ``mapping`` gives, any type."""
    from shapely.geometry import mapping

    shapes = np.array(
        [
            box(0, 0, 10, 10).difference(box(2, 2, 4, 4)).difference(box(6, 6, 8, 8)),
            box(5, 5, 7, 9),
            shapely.MultiPolygon([box(0, 0, 1, 1), box(3, 3, 4, 4)]),
            box(1, 1, 2, 3),
        ],
        dtype=object,
    )

    def nested_lists(value: object) -> object:
        return [nested_lists(v) for v in value] if isinstance(value, list | tuple) else value

    for built, geom in zip(zonal._geojson(shapes), shapes, strict=True):
        expected = mapping(geom)
        assert built["type"] == expected["type"]
        assert nested_lists(built["coordinates"]) == nested_lists(expected["coordinates"])
