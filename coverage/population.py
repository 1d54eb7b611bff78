"""Population on the working grid: the result type, and spreading commune totals over it.

Two ways in, one result type (:class:`PopulationGrid`, which carries its grid):

* :func:`coverage.io.population.population_on_grid` reads a population-count raster
  (WorldPop style) and moves it onto the working grid by areal weighting, preserving totals.
* :func:`population_from_communes` spreads a per-commune population column evenly over
  each commune's area: the cruder fallback when no raster exists, flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.crs import crs_label
from coverage.errors import SchemaError
from coverage.grid import Grid, Gridded
from coverage.i18n import message
from coverage.summaries import html_summary
from coverage.zonal import CommunesOnGrid, communes_on_grid

__all__ = ["PopulationGrid", "population_from_communes"]


@dataclass(frozen=True, eq=False)
class PopulationGrid(Gridded):
    """People per cell of the working grid.

    Attributes
    ----------
    people
        float64 (rows, cols): people living in each cell (0 where nobody or no data).
    grid
        The grid (the metric working CRS, transform, shape).
    method
        ``"areal_weighting"`` (from a raster) or ``"commune_area_spread"`` (cruder).
    source
        Where the numbers came from (file path, "array", or the commune column).
    known_share
        float32 (rows, cols): share of each cell whose population the source knows
        (0 outside the raster or on its nodata pixels).
    metadata
        Method notes: ``crude`` (bool), ``description``, ``error``, ``source_total``
        (people in the source over the grid), ``grid_total``, ``outside_grid``...
    """

    people: np.ndarray
    grid: Grid
    method: str
    source: str
    known_share: np.ndarray = field(repr=False)
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def total(self) -> float:
        """People on the whole grid."""
        return float(self.people.sum())

    def check_grid(self, grid: Grid, *, what: str) -> None:
        """Raise :class:`SchemaError` unless this population is on ``grid`` (the grid of ``what``)."""
        if not self.grid.aligned_with(grid):
            raise SchemaError(
                message(
                    "errors.population.other_grid",
                    shape=self.shape,
                    crs=self.crs.to_string(),
                    transform=tuple(self.transform)[:6],
                    what=what,
                    grid_shape=grid.shape,
                    grid_crs=grid.crs.to_string(),
                    grid_transform=tuple(grid.transform)[:6],
                )
            )

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: total people, method, grid, CRS, source.

        Examples
        --------
        >>> from affine import Affine
        >>> grid = PopulationGrid(np.array([[1200.0, 0.0], [35.5, 4.5]]),
        ...     Grid("EPSG:32648", Affine(1000, 0, 0, 0, -1000, 2000), (2, 2)),
        ...     "areal_weighting", "<pop>.tif", np.ones((2, 2), np.float32))
        >>> page = grid._repr_html_()
        >>> "1,240 people" in page, "&lt;pop&gt;.tif" in page
        (True, True)
        """
        rows, cols = self.shape
        crude = self.metadata.get("crude", self.method == "commune_area_spread")
        items = [
            (
                "people",
                f"{self.total:,.0f} people on the grid (largest cell {self.people.max():,.0f})",
            ),
            ("method", self.method + (" (crude: flat density per commune)" if crude else "")),
            ("grid", f"{rows:,} × {cols:,} cells of {abs(self.transform.a):g} m"),
            ("CRS", crs_label(self.crs)),
            ("known share", f"{float(np.mean(self.known_share)):.1%} of the grid's area"),
        ]
        outside = self.metadata.get("outside_grid")
        if outside is not None:
            items.append(("outside the grid", f"{float(outside):,.0f} people"))
        items.append(("source", self.source))
        return html_summary("PopulationGrid", items)


def population_from_communes(
    communes: gpd.GeoDataFrame,
    column: str,
    *,
    grid: Grid,
    supersample: int | None = None,
    on_grid: CommunesOnGrid | None = None,
) -> PopulationGrid:
    """Spread each commune's population evenly over its area (the cruder method).

    Each commune's ``column`` value is shared between grid cells in proportion to the
    commune area each cell holds (from :func:`coverage.zonal.commune_fractions`). Inside a
    commune the density is flat, so villages, empty forest and cliffs get the same people
    per km²: use it only when no population raster exists. People of a commune's part
    outside the grid are dropped and counted in ``metadata["outside_grid"]``. The result is
    flagged ``method="commune_area_spread"`` and ``metadata["crude"] = True``.

    Parameters
    ----------
    communes
        Polygons with a population ``column``, any CRS.
    column
        The column of people per commune.
    grid
        The working grid (e.g. ``result.grid``).
    supersample
        Fine pixels per cell side used to split cells between communes.
    on_grid
        The same communes already prepared on ``grid`` (:func:`coverage.zonal.communes_on_grid`),
        to rasterise them only once; ``supersample`` is then theirs.

    Examples
    --------
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"dan_so": [400]}, geometry=[box(0, 0, 200, 200)], crs="EPSG:32648")
    >>> grid = Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 200), (2, 2))
    >>> p = population_from_communes(g, "dan_so", grid=grid)
    >>> p.people.tolist(), p.metadata["crude"]
    ([[100.0, 100.0], [100.0, 100.0]], True)
    """
    if column not in communes.columns:
        raise SchemaError(
            message(
                "errors.population.no_column",
                column=repr(column),
                available=", ".join(map(str, communes.columns)),
            )
        )
    counts = pd.to_numeric(communes[column], errors="coerce")
    bad = counts.isna() | (counts < 0)
    if bad.any():
        raise SchemaError(
            message(
                "errors.population.bad_column",
                column=repr(column),
                rows=", ".join(map(str, communes.index[bad][:10])),
            )
        )
    if on_grid is None:
        on_grid = communes_on_grid(communes, grid, supersample=supersample)
    on_grid.check(communes, grid)
    fractions = on_grid.fractions
    rows, cols = grid.shape
    rasterised = fractions.zone_cells()
    # each commune hands out its people x the share of its polygon inside the grid (exact
    # geometry), spread over its rasterised cells: one wholly inside conserves its total
    geometry = np.asarray(on_grid.communes.geometry.array)
    area = shapely.area(geometry)
    inside = shapely.area(shapely.intersection(geometry, shapely.box(*grid.bounds)))
    share = np.divide(inside, area, out=np.zeros(len(area)), where=area > 0)
    density = np.divide(
        counts.to_numpy(float) * share,
        rasterised,
        out=np.zeros(len(communes)),
        where=rasterised > 0,
    )
    people = np.bincount(
        fractions.cell, weights=fractions.fraction * density[fractions.zone], minlength=rows * cols
    ).reshape(rows, cols)
    known = (
        np.bincount(fractions.cell, weights=fractions.fraction, minlength=rows * cols)
        .reshape(rows, cols)
        .astype(np.float32)
    )
    total = float(counts.sum())
    metadata = {
        "crude": True,
        "description": (
            "commune totals spread evenly over each commune's area (cruder than a raster)"
        ),
        "error": "within-commune distribution unknown: flat density assumed",
        "source_total": total,
        "grid_total": float(people.sum()),
        "outside_grid": total - float(people.sum()),
    }
    return PopulationGrid(
        people,
        grid,
        "commune_area_spread",
        f"communes[{column!r}]",
        np.minimum(known, 1.0),
        metadata,
    )
