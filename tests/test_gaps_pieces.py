"""Gap rows out of pieces: large pieces alone, each commune's small pieces in one scattered row."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import box

from coverage.gaps.pieces import KIND_AREA, KIND_SCATTERED, explode_polygons, gap_rows


def test_small_pieces_are_gathered_per_commune_in_order() -> None:
    pieces = np.array(
        [
            box(0, 0, 1000, 1000),  # 1 km2, commune 0
            box(2000, 0, 2100, 100),  # 0.01 km2, commune 1
            box(3000, 0, 3200, 100),  # 0.02 km2, commune 0
            box(4000, 0, 4100, 100),  # 0.01 km2, commune 1
            box(5000, 0, 5500, 1000),  # 0.5 km2, commune 1
        ],
        dtype=object,
    )
    rows = gap_rows(pieces, np.array([0, 1, 2, 3, 4]), np.array([0, 1, 0, 1, 1]), min_area_km2=0.1)
    assert rows.kind.tolist() == [KIND_AREA, KIND_AREA, KIND_SCATTERED, KIND_SCATTERED]
    assert rows.area.tolist() == [0, 4, -1, -1]
    assert rows.commune.tolist() == [0, 1, 0, 1]
    assert rows.pieces.tolist() == [1, 1, 1, 2]
    assert shapely.get_type_id(rows.geometry).tolist() == [3, 3, 6, 6]
    assert shapely.area(rows.geometry).tolist() == [1e6, 5e5, 2e4, 2e4]
    # nothing lost, nothing counted twice
    assert shapely.area(shapely.union_all(rows.geometry)) == shapely.area(pieces).sum()


def test_zero_threshold_lists_every_piece_alone_and_none_gives_no_rows() -> None:
    pieces = np.array([box(0, 0, 10, 10), box(20, 0, 30, 10)], dtype=object)
    rows = gap_rows(pieces, np.array([0, 1]), np.array([0, 0]), min_area_km2=0.0)
    assert rows.kind.tolist() == [KIND_AREA, KIND_AREA]
    empty = gap_rows(
        np.zeros(0, dtype=object),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        min_area_km2=0.1,
    )
    assert len(empty.geometry) == len(empty.kind) == len(empty.pieces) == 0


def test_explode_keeps_only_polygons_with_area() -> None:
    cut = np.array(
        [
            shapely.GeometryCollection([box(0, 0, 1, 1), shapely.LineString([(0, 0), (5, 5)])]),
            shapely.MultiPolygon([box(2, 0, 3, 1), box(4, 0, 5, 1)]),
        ],
        dtype=object,
    )
    parts, origin = explode_polygons(cut)
    assert origin.tolist() == [0, 1, 1]
    assert shapely.area(parts).tolist() == [1.0, 1.0, 1.0]


def test_vectorise_builds_the_polygons_rasterio_traces() -> None:
    """Built at once by shapely, the areas equal each traced polygon built one by one."""
    import rasterio.features
    import shapely.geometry
    from affine import Affine

    from coverage.gaps.pieces import vectorise
    from coverage.grid import Grid

    rng = np.random.default_rng(3)
    areas = ((rng.random((40, 50)) < 0.45) * rng.integers(1, 6, (40, 50))).astype(np.int32)
    areas[10:20, 10:20] = 7
    areas[14:16, 14:16] = 0  # a hole
    grid = Grid("EPSG:32648", Affine(30, 0, 500_000, 0, -30, 2_500_000), areas.shape)
    built = vectorise(areas, grid)
    parts: dict[int, list[object]] = {}
    for geometry, value in rasterio.features.shapes(
        areas, mask=areas > 0, connectivity=4, transform=grid.transform
    ):
        parts.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    assert sorted(built) == sorted(parts)
    assert any(len(p.interiors) for g in built.values() for p in getattr(g, "geoms", [g]))
    for key, geoms in parts.items():
        expected = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
        assert shapely.equals_exact(built[key], expected, tolerance=0), key


def test_vectorise_draws_rectangles_exactly_as_rasterio_traces_them() -> None:
    """Areas filling their bounding box (single cells, rows, blocks) are drawn, not traced:
    the same corners in the same order, whatever the labels (some absent)."""
    import rasterio.features
    import shapely.geometry
    from affine import Affine
    from scipy import ndimage

    from coverage.gaps.pieces import vectorise
    from coverage.grid import Grid

    rng = np.random.default_rng(11)
    labels, count = ndimage.label(rng.random((60, 70)) < 0.3)
    labels[labels == 5] = 0  # a label with no cell
    labels[40:44, 50:60] = count + 1  # a block
    grid = Grid("EPSG:32648", Affine(30, 0, 500_015.5, 0, -30, 2_500_007.25), labels.shape)
    built = vectorise(labels, grid)
    parts: dict[int, list[object]] = {}
    for geometry, value in rasterio.features.shapes(
        labels.astype(np.int32), mask=labels > 0, connectivity=4, transform=grid.transform
    ):
        parts.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    traced = {k: shapely.union_all(g) if len(g) > 1 else g[0] for k, g in parts.items()}
    assert sorted(built) == sorted(traced)
    cells = np.bincount(labels.reshape(-1))
    rectangles = [k for k, g in traced.items() if shapely.area(g) == cells[k] * 900.0 and
                  shapely.get_num_coordinates(g) == 5]  # fmt: skip
    assert len(rectangles) > 100  # most areas of a sparse mask
    for key, polygon in traced.items():
        assert shapely.equals_exact(built[key], polygon, tolerance=0), key


def test_areas_inside_one_commune_are_their_own_piece_without_an_overlay() -> None:
    """Pieces cut only where an area crosses a border equal those of cutting every area,
    and every piece's exterior runs counter-clockwise (GeoJSON's rule)."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    from coverage.gaps.pieces import cut_by_communes
    from coverage.zonal import without_overlaps

    communes = gpd.GeoDataFrame(
        geometry=[
            Polygon([(0, 0), (55, 0), (30, 80), (0, 60)]),
            Polygon([(55, 0), (90, 10), (70, 70), (30, 80)]),
        ],
        crs="EPSG:32648",
    )
    areas = {
        1: box(5, 5, 15, 15),  # inside the first
        2: box(40, 20, 60, 30),  # across the border
        3: box(60, 20, 70, 30).difference(box(63, 23, 66, 26)),  # inside the second, a hole
        4: box(60, 50, 100, 60),  # partly outside both
        5: box(200, 200, 210, 210),  # outside both
    }
    borders = without_overlaps(np.asarray(communes.geometry.array))
    area_ids, pieces, area_of_piece, commune_of_piece = cut_by_communes(areas, communes, borders)
    assert area_ids.tolist() == [1, 2, 3, 4, 5]
    assert area_of_piece.tolist() == [0, 1, 1, 2, 3]
    assert commune_of_piece.tolist() == [0, 0, 1, 1, 1]
    for piece, area, commune in zip(pieces, area_of_piece, commune_of_piece, strict=True):
        expected = shapely.intersection(areas[int(area_ids[area])], borders[commune])
        assert shapely.equals(piece, expected)
        assert piece.exterior.is_ccw
        assert all(not ring.is_ccw for ring in piece.interiors)
    assert len(pieces[3].interiors) == 1  # area 3 kept whole, hole and all
    # the caller's borders are never prepared: threads share them, and GEOS's prepared
    # geometries are not thread-safe
    assert not shapely.is_prepared(borders).any()
