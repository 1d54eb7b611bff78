"""One grid value: a CRS, an affine transform and a shape, and the arithmetic on them.

Every raster of the package (terrain, coverage, population) sits on a :class:`Grid`.
Bounds, cell centres, (row, col) positions of points and windows are computed here once:
the affine arithmetic of :mod:`rasterio.transform` (tested against it), written out so
that every caller gets the same last bit, and windows from :mod:`rasterio.windows`.
Nothing here opens a file. A cell's centre is at integer (row, col); its corners at
half-integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import rasterio.errors
import rasterio.windows
from affine import Affine
from pyproj import CRS
from rasterio.windows import Window

from coverage.crs import crs_label, require_crs
from coverage.errors import CRSError, GridError
from coverage.i18n import message
from coverage.summaries import html_summary

__all__ = ["Grid", "GridError", "Gridded"]

_CORNER_OFFSETS = {"center": 0.5, "ul": 0.0}


@dataclass(frozen=True, repr=False)
class Grid:
    """A georeferenced grid of ``shape`` (rows, cols) cells: ``transform`` maps (col, row) to (x, y).

    Attributes
    ----------
    crs
        The grid's CRS (anything pyproj understands is turned into a :class:`pyproj.CRS`).
    transform
        Affine transform from (col, row) of cell corners to (x, y) in ``crs`` units.
    shape
        (rows, cols).

    Examples
    --------
    >>> grid = Grid("EPSG:32648", Affine(250, 0, 400_000, 0, -250, 2_500_000), (4, 6))
    >>> grid
    Grid(4 × 6 cells of 250 m, EPSG:32648)
    >>> grid.bounds
    (400000.0, 2499000.0, 401500.0, 2500000.0)
    >>> [float(v) for v in grid.xy(0, 0)]
    [400125.0, 2499875.0]
    """

    crs: CRS
    transform: Affine
    shape: tuple[int, int]

    def __post_init__(self) -> None:
        transform = Affine(*tuple(self.transform)[:6])
        rows, cols = (int(n) for n in self.shape)
        if rows < 0 or cols < 0:
            raise GridError(message("errors.grid.shape", shape=tuple(self.shape)))
        if transform.is_degenerate:
            raise GridError(message("errors.grid.degenerate", transform=tuple(transform)[:6]))
        object.__setattr__(self, "crs", require_crs(self.crs, source=message("errors.grid.source")))
        object.__setattr__(self, "transform", transform)
        object.__setattr__(self, "shape", (rows, cols))

    @property
    def rectilinear(self) -> bool:
        """True when rows run along y and columns along x (no rotation, no shear)."""
        return self.transform.b == 0 and self.transform.d == 0

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in ``crs`` units: the envelope of the grid's cells.

        The same numbers as :func:`rasterio.transform.array_bounds`, in order whichever
        way the axes run.

        Examples
        --------
        >>> Grid("EPSG:32648", Affine(30, 0, 0, 0, -30, 90), (3, 4)).bounds
        (0.0, 0.0, 120.0, 90.0)
        """
        rows, cols = self.shape
        x, y = self.xy([0, 0, rows, rows], [0, cols, 0, cols], offset="ul")  # the corners
        return float(x.min()), float(y.min()), float(x.max()), float(y.max())

    @cached_property
    def resolution_m(self) -> float:
        """Side of the grid's square cells in metres.

        Raises :class:`~coverage.errors.CRSError` when the CRS is not in metres, and
        :class:`GridError` when cells are not square or the grid is rotated.

        Examples
        --------
        >>> Grid("EPSG:32648", Affine(30, 0, 0, 0, -30, 90), (3, 4)).resolution_m
        30.0
        >>> Grid("EPSG:32648", Affine(30, 0, 0, 0, -20, 90), (3, 4)).resolution_m
        Traceback (most recent call last):
        ...
        coverage.errors.GridError: grid cells are 30 x 20 m, not square; ...
        """
        axis = self.crs.axis_info[0] if self.crs.axis_info else None
        if not (self.crs.is_projected and axis is not None and axis.unit_conversion_factor == 1):
            raise CRSError(message("errors.grid.not_metric", crs=crs_label(self.crs)))
        a, e = self.transform.a, self.transform.e
        if not self.rectilinear or not math.isclose(abs(a), abs(e), rel_tol=1e-6):
            shape = "not square" if self.rectilinear else "rotated"
            raise GridError(
                message(
                    "errors.grid.not_square", width=f"{abs(a):g}", height=f"{abs(e):g}", shape=shape
                )
            )
        return float(abs(a))

    def xy(self, row: Any, col: Any, *, offset: str = "center") -> tuple[np.ndarray, np.ndarray]:
        """Coordinates (``crs`` units) of cell centres (or upper-left corners) at (row, col).

        The same numbers as :func:`rasterio.transform.xy`, for arrays of any shape;
        fractional positions are allowed. ``offset`` is ``"center"`` or ``"ul"``.

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(250, 0, 1000, 0, -250, 5000), (4, 4))
        >>> x, y = grid.xy([0, 3], [0, 1])
        >>> x.tolist(), y.tolist()
        ([1125.0, 1375.0], [4875.0, 4125.0])
        >>> [float(v) for v in grid.xy(0, 0, offset="ul")]
        [1000.0, 5000.0]
        """
        shift = _CORNER_OFFSETS.get(offset)
        if shift is None:
            raise GridError(
                message("errors.grid.offset", choices=sorted(_CORNER_OFFSETS), offset=repr(offset))
            )
        t = self.transform
        col = np.asarray(col, dtype=float) + shift
        row = np.asarray(row, dtype=float) + shift
        return t.c + col * t.a + row * t.b, t.f + col * t.d + row * t.e

    def rowcol(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) of points (x, y) in ``crs``: cell centres are integers.

        The inverse of :meth:`xy`; ``np.floor(rowcol + 0.5)`` is the cell holding the
        point, as :func:`rasterio.transform.rowcol` gives it.

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(250, 0, 1000, 0, -250, 5000), (4, 4))
        >>> [float(v) for v in grid.rowcol(1125.0, 4750.0)]
        [0.5, 0.0]
        """
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        t = self.transform
        if self.rectilinear:
            return (y - t.f) / t.e - 0.5, (x - t.c) / t.a - 0.5
        col, row = ~t @ (x, y)
        return np.asarray(row) - 0.5, np.asarray(col) - 0.5

    def contains(self, x: Any, y: Any) -> np.ndarray:
        """True where points (x, y), in ``crs``, fall inside the grid (edges included).

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(10, 0, 0, 0, -10, 30), (3, 3))
        >>> grid.contains([15.0, 30.0, 31.0], [15.0, 0.0, 15.0]).tolist()
        [True, True, False]
        """
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if self.rectilinear:
            left, bottom, right, top = self.bounds
            return (x >= left) & (x <= right) & (y >= bottom) & (y <= top)
        row, col = self.rowcol(x, y)
        rows, cols = self.shape
        return (row >= -0.5) & (row <= rows - 0.5) & (col >= -0.5) & (col <= cols - 0.5)

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of every cell centre, two arrays of ``shape``.

        Examples
        --------
        >>> x, y = Grid("EPSG:32648", Affine(10, 0, 0, 0, -10, 20), (2, 3)).cell_centres()
        >>> x.tolist(), y.tolist()
        ([[5.0, 15.0, 25.0], [5.0, 15.0, 25.0]], [[15.0, 15.0, 15.0], [5.0, 5.0, 5.0]])
        """
        rows, cols = self.shape
        col, row = np.meshgrid(np.arange(cols), np.arange(rows))
        return self.xy(row, col)

    def window(self, row0: int, col0: int, rows: int, cols: int) -> Grid:
        """The sub-grid of ``rows`` x ``cols`` cells whose first cell is (row0, col0).

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(10, 0, 0, 0, -10, 100), (10, 10))
        >>> grid.window(2, 3, 4, 5).bounds
        (30.0, 40.0, 80.0, 80.0)
        """
        return Grid(self.crs, self.transform @ Affine.translation(col0, row0), (rows, cols))

    def offset_of(self, window_transform: Affine) -> tuple[int, int]:
        """(row0, col0) of the first cell of a window of this grid, from the window's
        transform (the inverse of :meth:`window`).

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(10, 0, 0, 0, -10, 100), (10, 10))
        >>> grid.offset_of(grid.window(2, 3, 4, 5).transform)
        (2, 3)
        """
        row, col = self.rowcol(*(window_transform @ (0.5, 0.5)))  # its first cell's centre
        return round(float(row)), round(float(col))

    def window_of_bounds(
        self, bounds: tuple[float, float, float, float], *, margin: int = 0
    ) -> Window | None:
        """Whole-cell window of ``bounds`` (left, bottom, right, top; ``crs``), or None.

        The box's window (:func:`rasterio.windows.from_bounds`) is snapped to whole cells:
        its offsets floored as :meth:`rasterio.windows.Window.round_offsets` does (with a
        tenth of a cell of tolerance), its far edges rounded up. It is then grown by
        ``margin`` cells on every side and cut to the grid; None when it misses the grid.
        With ``margin >= 1`` it always covers the whole box.

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(10, 0, 0, 0, -10, 100), (10, 10))
        >>> grid.window_of_bounds((15, 15, 35, 45))
        Window(col_off=1, row_off=5, width=3, height=4)
        >>> grid.window_of_bounds((15, 15, 35, 45), margin=1)
        Window(col_off=0, row_off=4, width=5, height=6)
        >>> grid.window_of_bounds((500, 500, 600, 600)) is None
        True
        """
        window = rasterio.windows.from_bounds(*bounds, transform=self.transform)
        start = window.round_offsets()
        row0, col0 = start.row_off - margin, start.col_off - margin
        row1 = math.ceil(window.row_off + window.height) + margin
        col1 = math.ceil(window.col_off + window.width) + margin
        grown = Window(col0, row0, col1 - col0, row1 - row0)
        rows, cols = self.shape
        try:
            return grown.intersection(Window(0, 0, cols, rows))
        except rasterio.errors.WindowError:
            return None

    def aligned_with(self, other: Grid, *, tolerance: float = 1e-6) -> bool:
        """True when ``other`` is the same grid: shape, CRS, and transforms within ``tolerance``.

        ``tolerance`` applies to every transform coefficient (``crs`` units).

        Examples
        --------
        >>> grid = Grid("EPSG:32648", Affine(250, 0, 0, 0, -250, 0), (2, 2))
        >>> grid.aligned_with(Grid("EPSG:32648", Affine(250, 0, 1e-9, 0, -250, 0), (2, 2)))
        True
        >>> grid.aligned_with(grid.window(0, 0, 1, 2))
        False
        """
        return (
            self.shape == other.shape
            and self.crs == other.crs
            and all(
                math.isclose(a, b, abs_tol=tolerance)
                for a, b in zip(self.transform, other.transform, strict=True)
            )
        )

    def _cells_text(self) -> str:
        a, e = abs(self.transform.a), abs(self.transform.e)
        try:
            return f"{self.resolution_m:g} m"
        except (CRSError, GridError):
            unit = self.crs.axis_info[0].unit_name if self.crs.axis_info else "units"
            return f"{a:g} × {e:g} {unit}" + ("" if self.rectilinear else ", rotated")

    def __repr__(self) -> str:
        rows, cols = self.shape
        epsg = self.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else self.crs.name
        return f"Grid({rows} × {cols} cells of {self._cells_text()}, {crs})"

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: cells, cell size, extent, CRS.

        Examples
        --------
        >>> page = Grid("EPSG:32648", Affine(250, 0, 0, 0, -250, 1000), (4, 8))._repr_html_()
        >>> "4 × 8 cells" in page, "2.0 × 1.0 km" in page
        (True, True)
        """
        rows, cols = self.shape
        left, bottom, right, top = self.bounds
        extent = (
            f"{(right - left) / 1000:,.1f} × {(top - bottom) / 1000:,.1f} km"
            if self.crs.is_projected
            else f"{right - left:g} × {top - bottom:g}"
        )
        return html_summary(
            "Grid",
            [
                ("grid", f"{rows:,} × {cols:,} cells"),
                ("cell size", self._cells_text()),
                ("extent", extent),
                ("CRS", crs_label(self.crs)),
            ],
        )


class Gridded:
    """Mixin for values that carry a ``grid``: its ``crs``, ``transform`` and ``shape``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Mask(Gridded):
    ...     grid: Grid
    >>> Mask(Grid("EPSG:32648", Affine(30, 0, 0, 0, -30, 90), (3, 4))).shape
    (3, 4)
    """

    grid: Grid

    @property
    def crs(self) -> CRS:
        """The CRS of the grid (``grid.crs``)."""
        return self.grid.crs

    @property
    def transform(self) -> Affine:
        """Affine transform from (col, row) to (x, y) (``grid.transform``)."""
        return self.grid.transform

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) (``grid.shape``)."""
        return self.grid.shape
