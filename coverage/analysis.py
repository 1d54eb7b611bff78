"""The whole job in one call: coverage, per-commune figures and ranked gaps.

:func:`analyse` chains :func:`coverage.model.predict`, the population grid,
:func:`coverage.gaps.commune_coverage` and :func:`coverage.gaps.gap_polygons` (for every
operator and for "no operator"), and returns an :class:`Analysis` that notebooks,
the CLI and the map all use.
"""

from __future__ import annotations

import html
import logging
import math
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import geopandas as gpd
import pandas as pd
from rasterio.errors import NotGeoreferencedWarning

from coverage.errors import CruderMethodWarning, SchemaError
from coverage.gaps import check_operator_names, commune_coverage, gap_polygons, slug
from coverage.i18n import current_language, in_language, message
from coverage.io.population import population_on_grid
from coverage.model import CoverageResult, predict
from coverage.population import PopulationGrid, population_from_communes
from coverage.terrain import Terrain
from coverage.zonal import CommunesOnGrid, communes_on_grid, in_crs

log = logging.getLogger(__name__)

PopulationInput = PopulationGrid | str | os.PathLike[str] | None

#: Column of gap and commune rows computed with a drive-test calibration, describing it.
CALIBRATION_COLUMN = "calibration"
#: Column of gap and commune rows built from synthetic inputs, naming them.
SYNTHETIC_COLUMN = "synthetic_inputs"
#: Its values name the inputs whose files say they are synthetic (``synthetic=yes`` tags), among
#: these, comma-separated: the rows are not real coverage.
TAGGED_INPUTS = ("terrain", "population")


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything a planner or an RF team needs from one run.

    Attributes
    ----------
    result
        Best received power per operator and technology on the working grid.
    communes
        Per-commune coverage (:func:`coverage.gaps.commune_coverage`) on the input
        communes' index and CRS.
    gaps
        Gap polygons of every operator and of "no operator", ranked within each
        (``operator`` column), in the working CRS.
    population
        People on the working grid, or None when unknown.
    terrain
        The terrain used.
    """

    result: CoverageResult
    communes: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    population: PopulationGrid | None
    terrain: Terrain = field(repr=False)

    @property
    def synthetic_inputs(self) -> list[str]:
        """The inputs whose files say they are synthetic: ``terrain`` (a DEM tagged
        ``synthetic=yes``) and ``population`` (a population raster so tagged)."""
        return _tagged_inputs(self.terrain, self.population)

    def summary(self) -> pd.DataFrame:
        """Province totals for any operator and for each operator: people without signal.

        One row for ``any operator`` then one per operator, with ``uncovered_population``,
        ``covered_area_km2``, ``population`` and ``uncovered_share`` (0-1). Tested in
        ``tests/test_analysis.py``.
        """
        operators = sorted(set(self.result.layers["operator"].astype(str)))
        rows = []
        for label, key in [("any operator", "any"), *((op, slug(op)) for op in operators)]:
            people = self.communes.get(f"uncovered_population_{key}")
            area = self.communes.get(f"covered_area_km2_{key}")
            rows.append(
                {
                    "operator": label,
                    "uncovered_population": float(people.sum()) if people is not None else math.nan,
                    "covered_area_km2": float(area.sum()) if area is not None else math.nan,
                }
            )
        frame = pd.DataFrame(rows)
        frame["population"] = float(self.communes["population"].sum())
        frame["uncovered_share"] = frame["uncovered_population"] / frame["population"]
        return frame

    def _repr_html_(self) -> str:
        result = self.result
        head = (
            f"<b>phusong analysis</b>: {len(result.towers)} towers, {len(result.layers)} "
            f"layers, model <code>{html.escape(result.model)}</code>, grid {result.shape[0]}×"
            f"{result.shape[1]} at {abs(result.transform.a):g} m ({html.escape(result.crs.name)}), "
            f"{len(self.communes)} communes, {len(self.gaps)} gaps"
        )
        return head + self.summary().to_html(index=False, float_format=lambda v: f"{v:,.3f}")


def population_grid(
    population: PopulationInput,
    on_grid: CommunesOnGrid,
    communes: gpd.GeoDataFrame,
    population_column: str | None,
) -> PopulationGrid | None:
    grid = on_grid.grid
    if isinstance(population, PopulationGrid):
        population.check_grid(grid, what=message("errors.population.coverage_result"))
        return population
    if population is not None:
        return population_on_grid(population, grid=grid, communes=communes, on_grid=on_grid)
    if population_column is not None:
        warnings.warn(
            message("errors.analysis.population_spread", column=repr(population_column)),
            CruderMethodWarning,
            stacklevel=3,
        )
        return population_from_communes(communes, population_column, grid=grid, on_grid=on_grid)
    return None


def analyse(
    communes: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    terrain: Terrain,
    *,
    population: PopulationInput = None,
    population_column: str | None = None,
    previous_communes: gpd.GeoDataFrame | None = None,
    min_gap_area_km2: float = 0.1,
    progress: Callable[[int], None] | None = None,
    operators: Sequence[str] | None = None,
    **predict_options: Any,
) -> Analysis:
    """Coverage, per-commune figures and ranked gap polygons in one call.

    Parameters
    ----------
    communes
        Communes (:func:`coverage.read_communes`), any CRS.
    towers
        Towers (:func:`coverage.read_towers`), any CRS.
    terrain
        Elevation on the working grid (:func:`coverage.open_terrain`).
    population
        A population raster path (WorldPop style) or a ready :class:`PopulationGrid`.
    population_column
        Without a raster: a commune column of people, spread by area (cruder).
    previous_communes
        Pre-2025 communes, to name the old commune of every gap too.
    min_gap_area_km2
        Gaps smaller than this are listed together, one ``scattered`` row per commune and
        operator (:func:`coverage.gaps.gap_polygons`).
    progress
        Called with the number of sites done.
    operators
        Operators to list gaps for (default: all in the result).
    **predict_options
        Passed to :func:`coverage.model.predict` (``model``, ``radius_m``,
        ``thresholds_dbm``...).

    Returns
    -------
    Analysis
        When the DEM or the population raster is tagged ``synthetic=yes``, its gaps and
        communes have a ``synthetic_inputs`` column naming them (``terrain``,
        ``population``) on every row.

    Examples
    --------
    >>> from coverage import datasets, read_communes, read_towers, open_terrain
    >>> demo = datasets.laocai_demo()
    >>> terrain = open_terrain(demo.terrain)
    >>> result = analyse(read_communes(demo.communes), read_towers(demo.towers).head(20), terrain,
    ...                  population_column="dan_so", radius_m=8_000)  # doctest: +SKIP
    """
    if population is not None and population_column is not None:
        raise SchemaError(
            message("errors.analysis.population_twice", population_column=repr(population_column))
        )
    if "operator" in towers.columns:
        check_operator_names(towers["operator"].dropna())
    result = predict(towers, terrain, progress=progress, **predict_options)
    # the same for every operator: computed once
    on_grid = communes_on_grid(communes, result.grid)
    elevation_m = terrain.elevation_on(result.grid)
    previous_w = (
        None
        if previous_communes is None
        else in_crs(previous_communes, result.crs, what="previous communes")
    )
    people = population_grid(population, on_grid, communes, population_column)
    table = commune_coverage(communes, result, population=people, on_grid=on_grid)
    names = list(operators) if operators is not None else sorted(set(result.layers["operator"]))
    keys = [None, *names]
    pieces = _gap_lists(
        keys,
        result,
        on_grid,
        communes=communes,
        population=people,
        previous_communes=previous_w,
        min_area_km2=min_gap_area_km2,
        elevation_m=elevation_m,
    )
    dropped = {
        str(gaps["operator"].iloc[0]) if len(gaps) else str(key): gaps.attrs.get("dropped")
        for key, gaps in zip(keys, pieces, strict=True)
    }
    all_gaps = gpd.GeoDataFrame(pd.concat(pieces, ignore_index=True), crs=result.crs)
    all_gaps.attrs["dropped"] = dropped
    tagged = _tagged_inputs(terrain, people)
    if tagged:  # every row says so, in every format the lists are written to
        all_gaps[SYNTHETIC_COLUMN] = table[SYNTHETIC_COLUMN] = ", ".join(tagged)
    if result.parameters.get("calibration"):  # likewise the drive-test calibration applied
        all_gaps[CALIBRATION_COLUMN] = table[CALIBRATION_COLUMN] = result.parameters["calibration"]
    return Analysis(
        result=result, communes=table, gaps=all_gaps, population=people, terrain=terrain
    )


def _gap_lists(
    keys: list[str | None],
    result: CoverageResult,
    on_grid: CommunesOnGrid,
    **options: Any,
) -> list[gpd.GeoDataFrame]:
    """:func:`~coverage.gaps.gap_polygons` of each operator in ``keys`` (None: nobody's).

    Each list runs on its own thread (most of the work releases the GIL), in the caller's
    language; the spatial indexes and borders they share are built first, once, and never
    prepared (:func:`coverage.gaps.pieces.cut_by_communes`).
    """
    on_grid.communes.sindex  # noqa: B018 - built here, not raced for in the threads
    on_grid.borders  # noqa: B018
    if options.get("previous_communes") is not None:
        options["previous_communes"].sindex  # noqa: B018
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(keys), os.cpu_count() or 1)))
    try:
        with warnings.catch_warnings():
            # rasterio silences this warning of its in-memory rasters with catch_warnings,
            # which threads undo for each other (filters are global): silenced around them all
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            one_list = partial(in_language, current_language(), gap_polygons, result,
                               on_grid=on_grid, **options)  # fmt: skip
            runs = [pool.submit(one_list, operator=key) for key in keys]
            return [run.result() for run in runs]
    finally:  # an error or an interrupt: the lists not started are not run
        pool.shutdown(cancel_futures=True)


def _tagged_inputs(terrain: Terrain, population: PopulationGrid | None) -> list[str]:
    """Names (:data:`TAGGED_INPUTS`) of the inputs whose files are tagged synthetic."""
    flags = {
        "terrain": terrain.synthetic,
        "population": population is not None and bool(population.metadata.get("synthetic")),
    }
    return [name for name in TAGGED_INPUTS if flags[name]]
