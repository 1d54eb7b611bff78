"""Grid: bounds, cell centres and positions against rasterio, windows, alignment, odd grids."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio.crs
import rasterio.transform
import rasterio.windows
from affine import Affine
from hypothesis import given, settings, strategies as st
from pyproj import CRS

from coverage.errors import CRSError
from coverage.grid import Grid, GridError

UTM48N = "EPSG:32648"
NORTH_UP = Grid(UTM48N, Affine(93.0, 0, 412_345.678, 0, -93.0, 2_567_890.123), (300, 400))
ROTATED = Grid(
    UTM48N, Affine.translation(1000, 5000) @ Affine.rotation(30) @ Affine.scale(50, -50), (40, 60)
)


def _random_cells(grid: Grid, n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, cols = grid.shape
    return rng.integers(0, rows, n), rng.integers(0, cols, n)


def test_the_crs_is_a_pyproj_crs_whatever_it_was_given_as() -> None:
    for crs in (UTM48N, 32648, CRS.from_epsg(32648), rasterio.crs.CRS.from_epsg(32648)):
        grid = Grid(crs, Affine(30, 0, 0, 0, -30, 90), (3, 4))
        assert isinstance(grid.crs, CRS) and grid.crs.to_epsg() == 32648
    grid = Grid(UTM48N, Affine(30, 0, 0, 0, -30, 90), [3.0, 4.0])
    assert grid.shape == (3, 4) and grid == Grid(32648, Affine(30, 0, 0, 0, -30, 90), (3, 4))
    assert len({grid, Grid(32648, Affine(30, 0, 0, 0, -30, 90), (3, 4))}) == 1


def test_bad_grids_are_refused_saying_why() -> None:
    with pytest.raises(GridError, match="degenerate"):
        Grid(UTM48N, Affine(30, 0, 0, 0, 0, 90), (3, 4))
    with pytest.raises(GridError, match="rows, cols"):
        Grid(UTM48N, Affine(30, 0, 0, 0, -30, 90), (-1, 4))
    with pytest.raises(CRSError, match="grid has no coordinate reference system"):
        Grid(None, Affine(30, 0, 0, 0, -30, 90), (3, 4))


def test_bounds_match_rasterio_for_a_north_up_grid() -> None:
    rows, cols = NORTH_UP.shape
    assert NORTH_UP.bounds == rasterio.transform.array_bounds(rows, cols, NORTH_UP.transform)
    assert NORTH_UP.bounds == (
        412_345.678,
        2_567_890.123 - 300 * 93.0,
        412_345.678 + 400 * 93.0,
        2_567_890.123,
    )


def test_bounds_are_ordered_for_a_south_up_grid() -> None:
    south_up = Grid(UTM48N, Affine(10, 0, 0, 0, 10, 0), (3, 5))
    assert south_up.bounds == (0.0, 0.0, 50.0, 30.0)


def test_xy_matches_rasterio_and_keeps_the_shape_of_its_input() -> None:
    row, col = _random_cells(NORTH_UP)
    x, y = NORTH_UP.xy(row, col)
    rx, ry = rasterio.transform.xy(NORTH_UP.transform, row, col)
    np.testing.assert_allclose(x, rx, rtol=0, atol=1e-9)
    np.testing.assert_allclose(y, ry, rtol=0, atol=1e-9)
    ux, uy = NORTH_UP.xy(row, col, offset="ul")
    rx, ry = rasterio.transform.xy(NORTH_UP.transform, row, col, offset="ul")
    np.testing.assert_allclose(ux, rx, rtol=0, atol=1e-9)
    np.testing.assert_allclose(uy, ry, rtol=0, atol=1e-9)
    x2, _ = NORTH_UP.xy(row.reshape(20, 25), col.reshape(20, 25))
    assert x2.shape == (20, 25)
    with pytest.raises(GridError, match="offset"):
        NORTH_UP.xy(0, 0, offset="lr")


def test_rowcol_finds_the_cell_rasterio_finds_and_inverts_xy() -> None:
    rng = np.random.default_rng(1)
    left, bottom, right, top = NORTH_UP.bounds
    x, y = rng.uniform(left, right, 2000), rng.uniform(bottom, top, 2000)
    row, col = NORTH_UP.rowcol(x, y)
    cell_row, cell_col = rasterio.transform.rowcol(NORTH_UP.transform, x, y)
    np.testing.assert_array_equal(np.floor(row + 0.5), cell_row)
    np.testing.assert_array_equal(np.floor(col + 0.5), cell_col)
    back_x, back_y = NORTH_UP.xy(row, col)
    np.testing.assert_allclose(back_x, x, rtol=0, atol=1e-6)
    np.testing.assert_allclose(back_y, y, rtol=0, atol=1e-6)
    centre = NORTH_UP.xy(7, 11)
    assert [float(v) for v in NORTH_UP.rowcol(*centre)] == pytest.approx([7.0, 11.0], abs=1e-9)


def test_cell_centres_are_xy_of_every_cell() -> None:
    grid = NORTH_UP.window(0, 0, 5, 7)
    x, y = grid.cell_centres()
    assert x.shape == y.shape == (5, 7)
    ex, ey = grid.xy(*np.indices((5, 7)))
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)
    assert float(x[0, 0]) == NORTH_UP.transform.c + 46.5


def test_contains_includes_the_edges_only() -> None:
    left, bottom, right, top = NORTH_UP.bounds
    x = np.array([left, right, left - 1e-6, (left + right) / 2, right + 1e-6])
    y = np.array([bottom, top, bottom, top + 1e-6, (bottom + top) / 2])
    assert NORTH_UP.contains(x, y).tolist() == [True, True, False, False, False]


# rasterio.transform.array_bounds and rasterio.windows.transform still use affine's `*`
@pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning")
def test_a_rotated_grid_works_against_rasterio() -> None:
    corners = [ROTATED.transform @ (c, r) for c, r in ((0, 0), (60, 0), (0, 40), (60, 40))]
    xs, ys = zip(*corners, strict=True)
    assert ROTATED.bounds == pytest.approx((min(xs), min(ys), max(xs), max(ys)))
    assert ROTATED.bounds == pytest.approx(
        rasterio.transform.array_bounds(40, 60, ROTATED.transform)
    )
    row, col = _random_cells(ROTATED)
    x, y = ROTATED.xy(row, col)
    rx, ry = rasterio.transform.xy(ROTATED.transform, row, col)
    np.testing.assert_allclose(x, rx, atol=1e-9)
    np.testing.assert_allclose(y, ry, atol=1e-9)
    back_row, back_col = ROTATED.rowcol(x, y)
    np.testing.assert_allclose(back_row, row, atol=1e-9)
    np.testing.assert_allclose(back_col, col, atol=1e-9)
    # the envelope's corner lies outside the rotated grid; a cell centre inside it
    left, bottom, right, top = ROTATED.bounds
    assert ROTATED.contains([left, float(x[0])], [bottom, float(y[0])]).tolist() == [False, True]
    assert "rotated" in repr(ROTATED)
    with pytest.raises(GridError, match="rotated"):
        _ = ROTATED.resolution_m


def test_resolution_needs_square_metric_cells() -> None:
    assert NORTH_UP.resolution_m == 93.0
    with pytest.raises(GridError, match="not square"):
        _ = Grid(UTM48N, Affine(30, 0, 0, 0, -20, 90), (3, 4)).resolution_m
    geographic = Grid("EPSG:4326", Affine(1 / 1200, 0, 103, 0, -1 / 1200, 23), (1201, 1201))
    with pytest.raises(CRSError, match="not in metres"):
        _ = geographic.resolution_m
    assert (
        repr(geographic) == "Grid(1201 × 1201 cells of 0.000833333 × 0.000833333 degree, EPSG:4326)"
    )


# rasterio.transform.array_bounds and rasterio.windows.transform still use affine's `*`
@pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning")
def test_window_is_the_sub_grid_rasterio_would_give() -> None:
    sub = NORTH_UP.window(20, 30, 50, 60)
    assert sub.shape == (50, 60) and sub.crs == NORTH_UP.crs
    expected = rasterio.windows.transform(
        rasterio.windows.Window(30, 20, 60, 50), NORTH_UP.transform
    )
    assert tuple(sub.transform) == pytest.approx(tuple(expected))
    assert [float(v) for v in sub.xy(0, 0)] == [float(v) for v in NORTH_UP.xy(20, 30)]
    assert [float(v) for v in sub.xy(49, 59)] == [float(v) for v in NORTH_UP.xy(69, 89)]


@settings(max_examples=60, deadline=None)
@given(
    x0=st.floats(-50, 450),
    y0=st.floats(-50, 950),
    width=st.floats(0.5, 300),
    height=st.floats(0.5, 300),
    margin=st.integers(1, 3),
)
def test_window_of_bounds_covers_the_box_it_was_asked_for(x0, y0, width, height, margin) -> None:
    grid = Grid(UTM48N, Affine(10, 0, 0, 0, -10, 1000), (100, 40))  # x 0..400, y 0..1000
    box = (x0, y0, x0 + width, y0 + height)
    window = grid.window_of_bounds(box, margin=margin)
    left, bottom, right, top = grid.bounds
    overlaps = box[0] < right and box[2] > left and box[1] < top and box[3] > bottom
    if window is None:
        assert not overlaps
        return
    sub = grid.window(
        int(window.row_off), int(window.col_off), int(window.height), int(window.width)
    )
    sub_left, sub_bottom, sub_right, sub_top = sub.bounds
    assert sub_left <= max(box[0], left) and sub_right >= min(box[2], right)
    assert sub_bottom <= max(box[1], bottom) and sub_top >= min(box[3], top)
    assert sub_right - sub_left <= width + (2 * margin + 2) * 10


def test_window_of_bounds_is_cut_to_the_grid() -> None:
    grid = Grid(UTM48N, Affine(10, 0, 0, 0, -10, 100), (10, 10))
    assert grid.window_of_bounds((-50, -50, 25, 150)) == rasterio.windows.Window(0, 0, 3, 10)
    assert grid.window_of_bounds((200, 0, 300, 100)) is None


def test_aligned_with_tolerates_rounding_only() -> None:
    grid = Grid(UTM48N, Affine(250, 0, 400_000, 0, -250, 2_500_000), (20, 30))
    nudged = Grid(UTM48N, Affine(250, 0, 400_000 + 1e-7, 0, -250, 2_500_000), (20, 30))
    assert grid.aligned_with(nudged) and nudged.aligned_with(grid)
    shifted = Grid(UTM48N, Affine(250, 0, 400_000.5, 0, -250, 2_500_000), (20, 30))
    assert not grid.aligned_with(shifted)
    assert grid.aligned_with(shifted, tolerance=1.0)
    assert not grid.aligned_with(Grid("EPSG:32649", grid.transform, grid.shape))
    assert not grid.aligned_with(Grid(UTM48N, grid.transform, (20, 31)))


def test_summaries_are_short() -> None:
    assert repr(NORTH_UP) == "Grid(300 × 400 cells of 93 m, EPSG:32648)"
    page = NORTH_UP._repr_html_()
    assert "300 × 400 cells" in page and "37.2 × 27.9 km" in page and "EPSG:32648" in page
    assert math.isclose(NORTH_UP.resolution_m, 93.0)
