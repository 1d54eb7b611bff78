"""Per-commune coverage: covered area and people per operator, technology and overall.

Communes come in any CRS and are reprojected to the result's metric working CRS; they are
rasterised onto the grid once (:func:`coverage.zonal.communes_on_grid`) and every
per-commune figure is a weighted sum over that table.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.errors import OutsideGridWarning, SchemaError
from coverage.gaps.masks import cell_area_km2, coverage_masks, slug
from coverage.grid import Grid
from coverage.i18n import message
from coverage.model import CoverageResult
from coverage.population import PopulationGrid
from coverage.zonal import CommuneFractions, CommunesOnGrid, communes_on_grid

#: Commune columns copied to the outputs when present (normalised by the commune reader).
COMMUNE_COLUMNS = ("commune_id", "name", "district", "province")

_FULL = 0.999  # a commune with at least this share of its area on the grid is complete

__all__ = ["COMMUNE_COLUMNS", "commune_coverage", "commune_sums", "commune_table"]


def commune_coverage(
    communes: gpd.GeoDataFrame,
    result: CoverageResult,
    *,
    population: PopulationGrid | None = None,
    supersample: int | None = None,
    on_grid: CommunesOnGrid | None = None,
) -> gpd.GeoDataFrame:
    """Coverage of every commune, per operator, per operator and technology, and overall.

    Communes are rasterised onto the result's grid once; each cell counts towards a
    commune by the share of its area inside it, measured on ``supersample`` x
    ``supersample`` fine pixels (default: pixels at most 62.5 m wide, so a 250 m grid is
    split 4 x 4) whose centres decide (``all_touched=False``). A commune smaller than a
    cell is not lost, and a cell's people are split between communes by area.

    Parameters
    ----------
    communes
        Polygons with, ideally, ``commune_id``, ``name``, ``district``, ``province``
        (copied when present); any CRS (reprojected to ``result.crs``).
    result
        Coverage on the working grid.
    population
        People per cell on the same grid (:func:`coverage.population.population_on_grid`);
        without it the population columns are NaN (unknown, not zero).
    supersample
        Fine pixels per cell side used to split cells between communes.
    on_grid
        ``communes`` already prepared on the result's grid
        (:func:`coverage.zonal.communes_on_grid`); ``supersample`` is then theirs.

    Returns
    -------
    geopandas.GeoDataFrame
        On ``communes.index``, with the commune's own geometry and CRS, and columns
        (``<key>`` is ``any`` for any operator, the operator's slug, e.g. ``viettel``, or
        operator and technology, e.g. ``viettel_4g``):

        ======================================  ===============================================
        column                                  meaning
        ======================================  ===============================================
        ``commune_id`` ``name`` ``district``    copied from the input when present
        ``province``
        ``status``                              ``complete``; ``partial: N% of the commune is
                                                outside the grid``; ``not computed: outside
                                                the grid`` (figures NaN, never 0)
        ``area_km2``                            polygon area (working CRS)
        ``area_in_grid_km2``                    polygon area inside the grid's extent
        ``population``                          people on the grid part (NaN: no population)
        ``covered_area_km2_<key>``              area with signal
        ``covered_share_<key>``                 covered / rasterised area, 0-1
        ``covered_population_<key>``            people with signal
        ``uncovered_population_<key>``          people without signal
        ``uncovered_population_share_<key>``    uncovered / population, 0-1
        ``n_operators_present``                 operators covering any part of the commune
        ``operators_present``                   their names, comma-separated, sorted
        ======================================  ===============================================

    Examples
    --------
    >>> import pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from coverage.grid import Grid
    >>> from coverage.model import CoverageResult
    >>> power = np.array([[[-80.0, -120.0]]], dtype=np.float32)
    >>> layers = pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"],
    ...                        "threshold_dbm": [-110.0]})
    >>> result = CoverageResult(power, np.zeros((1, 1, 2), np.int32), layers,
    ...     np.zeros((1, 2), np.uint8), Grid("EPSG:32648", Affine(1000, 0, 0, 0, -1000, 1000),
    ...     (1, 2)), gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"))
    >>> communes = gpd.GeoDataFrame({"name": ["Y Tý"]}, geometry=[box(0, 0, 2000, 1000)],
    ...                             crs="EPSG:32648")
    >>> table = commune_coverage(communes, result)
    >>> [float(table.loc[0, "covered_share_any"]), table.loc[0, "operators_present"]]
    [0.5, 'Viettel']
    """
    if population is not None:
        population.check_grid(result.grid, what=message("errors.population.coverage_result"))
    if on_grid is None:
        on_grid = communes_on_grid(communes, result.grid, supersample=supersample)
    on_grid.check(communes, result.grid)
    sums = commune_sums(
        result, on_grid.fractions, None if population is None else population.people
    )
    return commune_table(communes, on_grid.communes, result.grid, result.layers, sums)


def commune_sums(
    result: CoverageResult, fractions: CommuneFractions, people: np.ndarray | None
) -> dict[str, np.ndarray]:
    """The additive per-commune figures behind :func:`commune_coverage`: weighted cell sums.

    Keys: ``cells`` (commune cells on the grid), ``population`` (when ``people`` is given)
    and, per mask key of :func:`commune_table`, ``covered_cells_<key>`` and (with
    ``people``) ``covered_population_<key>``, ``uncovered_population_<key>``. Each is a sum
    over cells, so the sums of grid tiles add up to the whole grid's
    (:mod:`coverage.cluster` reduces them so).
    """
    sums = {"cells": fractions.zone_cells()}
    if people is not None:
        sums["population"] = fractions.zone_sum(people)
    for key, mask in _keyed_masks(result):
        sums[f"covered_cells_{key}"] = fractions.zone_sum(mask)
        if people is not None:
            sums[f"covered_population_{key}"] = fractions.zone_sum(np.where(mask, people, 0.0))
            sums[f"uncovered_population_{key}"] = fractions.zone_sum(np.where(mask, 0.0, people))
    return sums


def _keyed_masks(result: CoverageResult) -> list[tuple[str, np.ndarray]]:
    """Covered masks by column suffix (:func:`_mask_keys`), ``any`` first."""
    masks = coverage_masks(result)
    return [
        (key, result.covered_any if operator is None else masks[(operator, technology)])
        for key, operator, technology in _mask_keys(result.layers)
    ]


def _mask_keys(layers: pd.DataFrame) -> list[tuple[str, str | None, str | None]]:
    """Column suffix, operator and technology of every figure: ``any`` (None, None), each
    operator (its slug; technology None) and each of its technologies, as :func:`coverage_masks`."""
    keys: list[tuple[str, str | None, str | None]] = [("any", None, None)]
    operators = layers["operator"].astype(str).to_numpy()
    technologies = layers["technology"].astype(str).to_numpy()
    for operator in dict.fromkeys(operators):
        keys.append((slug(operator), operator, None))
        for technology in dict.fromkeys(technologies[operators == operator]):
            keys.append((f"{slug(operator)}_{slug(technology)}", operator, technology))
    seen: set[str] = set()
    for key, _, _ in keys:
        if key in seen:
            raise SchemaError(message("errors.gaps.suffix_collision", key=repr(key)))
        seen.add(key)
    return keys


def commune_table(
    communes: gpd.GeoDataFrame,
    communes_w: gpd.GeoDataFrame,
    grid: Grid,
    layers: pd.DataFrame,
    sums: dict[str, np.ndarray],
) -> gpd.GeoDataFrame:
    """:func:`commune_coverage`'s table from its :func:`commune_sums` over ``grid``.

    ``communes_w``: the same communes in the grid's CRS; ``layers``: the result's. Figures
    of communes with no cell on the grid are NaN.
    """
    cell_km2 = cell_area_km2(grid)
    area_km2 = communes_w.area.to_numpy() / 1e6
    in_grid_km2 = sums["cells"] * cell_km2
    computed = in_grid_km2 > 0
    grid_box = shapely.box(*grid.bounds)
    exact_in_grid_km2 = (
        shapely.area(shapely.intersection(np.asarray(communes_w.geometry.array), grid_box)) / 1e6
    )
    share_in = np.divide(
        exact_in_grid_km2, area_km2, out=np.zeros(len(area_km2)), where=area_km2 > 0
    )

    def per_commune(name: str) -> np.ndarray:
        return np.where(computed, sums.get(name, 0.0), np.nan)

    out: dict[str, Any] = {c: communes[c].to_numpy() for c in COMMUNE_COLUMNS if c in communes}
    out["status"] = [
        "not computed: outside the grid"
        if not ok
        else "complete"
        if share >= _FULL
        else f"partial: {1 - share:.0%} of the commune is outside the grid"
        for ok, share in zip(computed, share_in, strict=True)
    ]
    out["area_km2"] = area_km2
    out["area_in_grid_km2"] = exact_in_grid_km2
    unknown = np.full(len(communes), np.nan)
    with_people = "population" in sums
    total_people = per_commune("population") if with_people else unknown
    out["population"] = total_people
    present = {}
    for key, operator, technology in _mask_keys(layers):
        covered_km2 = per_commune(f"covered_cells_{key}") * cell_km2
        out[f"covered_area_km2_{key}"] = covered_km2
        out[f"covered_share_{key}"] = _ratio(covered_km2, in_grid_km2)
        covered_people = per_commune(f"covered_population_{key}") if with_people else unknown
        uncovered_people = per_commune(f"uncovered_population_{key}") if with_people else unknown
        out[f"covered_population_{key}"] = covered_people
        out[f"uncovered_population_{key}"] = uncovered_people
        out[f"uncovered_population_share_{key}"] = _ratio(uncovered_people, total_people)
        if operator is not None and technology is None:
            present[operator] = covered_km2 > 0
    names = [
        ", ".join(sorted(op for op, flags in present.items() if flags[i])) if computed[i] else None
        for i in range(len(communes))
    ]
    out["n_operators_present"] = pd.array(
        [len(n.split(", ")) if n else (0 if n == "" else None) for n in names], dtype="Int64"
    )
    out["operators_present"] = names
    frame = gpd.GeoDataFrame(
        out, index=communes.index, geometry=communes.geometry.array, crs=communes.crs
    )
    not_computed = int((~computed).sum())
    if not_computed:
        warnings.warn(
            message("errors.gaps.communes_outside_grid", count=not_computed, total=len(communes)),
            OutsideGridWarning,
            stacklevel=2,
        )
    return frame


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)
