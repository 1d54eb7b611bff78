"""Per-commune coverage and gap polygons: pure functions of a :class:`CoverageResult`.

Nothing here opens a file. Communes come in any CRS and are reprojected to the result's
metric working CRS; they are rasterised onto the grid once (:func:`coverage.zonal.
communes_on_grid`) and every per-commune figure is a weighted sum over that table.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
import shapely.geometry
from scipy import ndimage

from coverage.crs import WGS84, transform_xy
from coverage.errors import OutsideGridWarning, SchemaError
from coverage.grid import Grid
from coverage.model import CoverageResult
from coverage.names import strip_diacritics
from coverage.population import PopulationGrid
from coverage.terrain import Terrain
from coverage.zonal import (
    CommuneFractions,
    CommunesOnGrid,
    commune_fractions,
    communes_on_grid,
    in_crs,
)

log = logging.getLogger(__name__)

#: ``operator`` value of gaps that no operator covers (``gap_polygons(operator=None)``).
NO_OPERATOR = "no operator"

#: Commune columns copied to the outputs when present (normalised by the commune reader).
COMMUNE_COLUMNS = ("commune_id", "name", "district", "province")

_FULL = 0.999  # a commune with at least this share of its area on the grid is complete


def slug(text: str) -> str:
    """ASCII snake_case form of an operator or technology name, for column names.

    Examples
    --------
    >>> slug("VNPT-Vinaphone"), slug("4G"), slug("Viettel"), slug("Lào Cai / Đà Nẵng")
    ('vnpt_vinaphone', '4g', 'viettel', 'lao_cai_da_nang')
    """
    folded = strip_diacritics(str(text)).lower()
    return re.sub(r"[^0-9a-z]+", "_", folded).strip("_") or "unnamed"


def check_operator_names(names: Any) -> None:
    """Refuse operator names that collide with the label of places nobody covers.

    ``no operator`` (in any spelling with the same :func:`slug`) is reserved: its gap rows
    and ids would merge with those of the places no operator covers.

    Examples
    --------
    >>> check_operator_names(["Viettel", "VNPT"])
    >>> check_operator_names(["No-Operator"])
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: operator name 'No-Operator' is reserved for the places no operator covers; rename that operator in the tower list.
    """
    for name in dict.fromkeys(str(n) for n in names):
        if slug(name) == slug(NO_OPERATOR):
            raise SchemaError(
                f"operator name {name!r} is reserved for the places no operator covers; "
                "rename that operator in the tower list."
            )


def coverage_masks(result: CoverageResult) -> dict[tuple[str, str | None], np.ndarray]:
    """Covered masks keyed ``(operator, technology)``; technology None = any of its layers.

    Computed from ``result.covered`` and ``result.layers`` (row positions), so layers in
    any order work. A result without layers gives an empty dict.
    """
    if len(result.layers) == 0:
        return {}
    covered = result.covered
    masks: dict[tuple[str, str | None], np.ndarray] = {}
    operators = result.layers["operator"].astype(str).to_numpy()
    technologies = result.layers["technology"].astype(str).to_numpy()
    for operator in dict.fromkeys(operators):
        positions = np.flatnonzero(operators == operator)
        masks[(operator, None)] = np.asarray(covered[positions].any(axis=0))
        for technology in dict.fromkeys(technologies[positions]):
            layer = positions[technologies[positions] == technology]
            masks[(operator, technology)] = np.asarray(covered[layer].any(axis=0))
    return masks


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
        population.check_grid(result.grid, what="the coverage result")
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
            raise SchemaError(
                f"operator/technology names collide as column suffix {key!r}; rename them "
                "in the tower list so that their ASCII forms differ."
            )
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
    cell_km2 = _cell_km2(grid)
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
            f"{not_computed} of {len(communes)} commune(s) lie wholly outside the coverage grid "
            "and are not computed (status 'not computed'); open terrain that covers them.",
            OutsideGridWarning,
            stacklevel=2,
        )
    return frame


def gap_polygons(
    result: CoverageResult,
    *,
    communes: gpd.GeoDataFrame,
    population: PopulationGrid | None = None,
    terrain: Terrain | None = None,
    operator: str | None = None,
    previous_communes: gpd.GeoDataFrame | None = None,
    min_area_km2: float = 0.1,
    supersample: int | None = None,
    on_grid: CommunesOnGrid | None = None,
    elevation_m: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Contiguous areas without signal, cut by commune, ranked by the people left out.

    Uncovered cells (no layer of ``operator`` reaches its threshold; with
    ``operator=None``, no layer of any operator does) are grouped into 4-connected areas,
    vectorised with :func:`rasterio.features.shapes` and cut along commune borders. Pieces
    smaller than ``min_area_km2`` (default 0.1 km², slivers along borders and single stray
    cells at 250 m) are dropped, and so are the parts outside every commune; both are
    counted, never silently: the frame's ``attrs["dropped"]`` holds ``slivers`` (count),
    ``sliver_people``, ``sliver_area_km2``, ``outside_communes_people`` and
    ``outside_communes_area_km2``, also logged at INFO level.

    Parameters
    ----------
    result
        Coverage on the working grid. A result without layers (no towers) makes the
        whole grid one gap.
    communes
        2025 communes, any CRS (``commune_id``, ``name``, ``district``, ``province``
        copied when present).
    population
        People per cell on the result's grid; without it ``people`` is NaN and the rank
        follows area.
    terrain
        Elevation for ``highest_ground_*`` (sampled at the grid's cell centres).
    operator
        Gaps in this operator's coverage; None: gaps no operator covers.
    previous_communes
        Pre-2025 communes: each piece is labelled with the one it overlaps most.
    min_area_km2
        Smallest piece kept.
    supersample
        Fine pixels per cell side for splitting cells between communes.
    on_grid
        ``communes`` already prepared on the result's grid
        (:func:`coverage.zonal.communes_on_grid`), to project them and settle their
        overlaps only once for many operators.
    elevation_m
        Terrain elevation (m) at the result's cell centres when already computed
        (:meth:`coverage.terrain.Terrain.elevation_on`); used instead of ``terrain``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece, in the working CRS, sorted by ``rank``:

        ================================  =====================================================
        column                            meaning
        ================================  =====================================================
        ``gap_id``                        ``<operator slug>-<rank>``, e.g. ``viettel-0001``
        ``rank``                          1 = most uncovered people (ties: larger area first)
        ``operator``                      the operator lacking signal, or ``no operator``
        ``area_id``                       contiguous uncovered area the piece belongs to
        ``contiguous_area_km2``           area of that whole contiguous area
        ``commune_id`` ``commune_name``   2025 commune (from ``commune_id``, ``name``...)
        ``district`` ``province``
        ``previous_commune_id``           pre-2025 commune overlapping most (only when
        ``previous_commune_name``         ``previous_communes`` is given)
        ``area_km2``                      area of the piece
        ``people``                        people without signal in the piece
        ``centroid_lat`` ``centroid_lon`` centroid, degrees (EPSG:4326)
        ``highest_ground_m``              highest cell-centre elevation in the piece (NaN
                                          without terrain)
        ``highest_ground_lat`` ``_lon``   where it is, degrees (EPSG:4326)
        ``nearest_site_<op>``             ``site_id`` of the operator's nearest site
        ``nearest_site_km_<op>``          distance from the piece's edge to it, km (0 inside)
        ``model_flagged_share``           share of the piece where the model is outside its
                                          validity range (:class:`coverage.Validity`), 0-1
        ================================  =====================================================

    Examples
    --------
    >>> import pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from coverage.model import CoverageResult
    >>> empty = CoverageResult(np.zeros((0, 2, 2), np.float32), np.zeros((0, 2, 2), np.int32),
    ...     pd.DataFrame(columns=["operator", "technology", "threshold_dbm"]),
    ...     np.zeros((2, 2), np.uint8), Grid("EPSG:32648", Affine(500, 0, 0, 0, -500, 1000),
    ...     (2, 2)), gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"))
    >>> communes = gpd.GeoDataFrame({"name": ["Y Tý"]}, geometry=[box(0, 0, 1000, 1000)],
    ...                             crs="EPSG:32648")
    >>> gaps = gap_polygons(empty, communes=communes)
    >>> gaps[["gap_id", "commune_name", "area_km2"]].values.tolist()
    [['no_operator-0001', 'Y Tý', 1.0]]
    """
    if population is not None:
        population.check_grid(result.grid, what="the coverage result")
    if on_grid is None:
        on_grid = communes_on_grid(communes, result.grid, supersample=supersample)
    on_grid.check(communes, result.grid)
    if elevation_m is None and terrain is not None:
        elevation_m = terrain.elevation_on(result.grid)
    if operator is not None:
        check_operator_names([operator])
    label = NO_OPERATOR if operator is None else str(operator)
    uncovered = ~_covered_for(result, operator)
    areas, n_areas = ndimage.label(uncovered)  # 4-connected, as shapes(connectivity=4)
    cell_km2 = _cell_km2(result.grid)
    contiguous_km2 = np.bincount(areas.reshape(-1), minlength=n_areas + 1) * cell_km2
    people = population.people if population is not None else np.zeros(result.shape)

    area_ids, pieces, area_of_piece, commune_of_piece = _cut_by_communes(
        _vectorise(areas, result.grid), on_grid
    )
    piece_km2 = shapely.area(pieces) / 1e6
    piece_cells = commune_fractions(
        gpd.GeoDataFrame(geometry=pieces, crs=result.crs), grid=result.grid, supersample=supersample
    )
    piece_people = piece_cells.zone_sum(people)
    piece_flagged = _flagged_share(piece_cells, result.validity)
    ground_m = elevation_m if elevation_m is not None else np.full(result.shape, np.nan)
    highest_m, highest_cell = piece_cells.zone_max(ground_m)

    keep, dropped = _dropped(
        piece_km2,
        piece_people,
        uncovered_people=float(np.where(uncovered, people, 0.0).sum()),
        uncovered_km2=float(uncovered.sum()) * cell_km2,
        min_area_km2=min_area_km2,
        known_people=population is not None,
        label=label,
    )

    area_of_piece, commune_of_piece = area_of_piece[keep], commune_of_piece[keep]
    out: dict[str, Any] = {
        "operator": label,
        "area_id": area_ids[area_of_piece],
        "contiguous_area_km2": contiguous_km2[area_ids[area_of_piece]],
    }
    communes_w = on_grid.communes
    for column in COMMUNE_COLUMNS:
        if column in communes_w.columns:
            name = "commune_name" if column == "name" else column
            out[name] = communes_w[column].to_numpy()[commune_of_piece]
    frame = gpd.GeoDataFrame(out, geometry=pieces[keep], crs=result.crs)
    frame["area_km2"] = piece_km2[keep]
    frame["people"] = piece_people[keep] if population is not None else np.nan
    frame["model_flagged_share"] = piece_flagged[keep]
    if previous_communes is not None:
        _label_previous(frame, previous_communes, result)
    _locate(frame, result.grid, highest_m[keep], highest_cell[keep])
    _nearest_sites(frame, result)

    order = np.lexsort(
        (-frame["area_km2"].to_numpy(), -np.nan_to_num(frame["people"].to_numpy(), nan=-1.0))
    )
    frame = frame.iloc[order].reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.insert(0, "gap_id", [f"{slug(label)}-{r:04d}" for r in frame["rank"]])
    frame.attrs["dropped"] = dropped
    frame.attrs["operator"] = label
    return frame


# --------------------------------------------------------------------------- helpers


def _cell_km2(grid: Grid) -> float:
    return abs(grid.transform.a * grid.transform.e) / 1e6


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _covered_for(result: CoverageResult, operator: str | None) -> np.ndarray:
    if operator is None:
        return result.covered_any
    masks = coverage_masks(result)
    if (operator, None) in masks:
        return masks[(operator, None)]
    known = sorted({op for op, _ in masks})
    raise SchemaError(
        f"operator {operator!r} has no layer in the coverage result; operators present: "
        f"{', '.join(known) if known else 'none (the result has no layers: use operator=None)'}."
    )


def _vectorise(areas: np.ndarray, grid: Grid) -> dict[int, Any]:
    """One (multi)polygon per contiguous-area label, in the grid's CRS."""
    parts: dict[int, list[Any]] = {}
    if areas.max(initial=0) == 0:
        return {}
    for geometry, value in rasterio.features.shapes(
        areas.astype(np.int32), mask=areas > 0, connectivity=4, transform=grid.transform
    ):
        parts.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    return {
        key: shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
        for key, geoms in parts.items()
    }


# -------------------- pieces: each contiguous area cut by commune borders, exploded to polygons


def _cut_by_communes(
    polygons: dict[int, Any], on_grid: CommunesOnGrid
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut each contiguous area along commune borders into single polygons.

    Returns ``(area_ids, pieces, area_of_piece, commune_of_piece)``: the sorted area
    labels, the pieces, and for each piece the position of its area in ``area_ids`` and
    of its commune in ``on_grid.communes``.
    """
    area_ids = np.array(sorted(polygons), dtype=np.int64)
    area_geoms = np.array([polygons[i] for i in area_ids], dtype=object)
    if len(area_ids):
        left, right = on_grid.communes.sindex.query(area_geoms, predicate="intersects")
    else:
        left, right = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cut = shapely.intersection(area_geoms[left], on_grid.borders[right])
    pieces, origin = _explode_polygons(cut)
    return area_ids, pieces, left[origin], right[origin]


def _explode_polygons(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons with non-zero area out of intersections, and the input each came from."""
    parts, origin = shapely.get_parts(np.asarray(geometries, dtype=object), return_index=True)
    nested = shapely.get_type_id(parts) != 3  # 3: Polygon; collections may hold multipolygons
    if nested.any():
        sub, sub_origin = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        origin = np.concatenate([origin[~nested], origin[nested][sub_origin]])
    polygonal = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    order = np.argsort(origin[polygonal], kind="stable")
    return parts[polygonal][order], origin[polygonal][order]


# ------------- the pieces, rasterised once (fine pixels as for communes): people, flagged share


def _flagged_share(cells: CommuneFractions, validity: np.ndarray) -> np.ndarray:
    """Share of each zone's cells where the model is outside its validity range."""
    total = cells.zone_cells().astype(np.float64)
    return np.divide(
        cells.zone_sum((validity != 0).astype(np.float64)),
        total,
        out=np.zeros(total.shape, dtype=np.float64),
        where=total > 0,
    )


# ------------------------------------------------------- accounting for what is dropped


def _dropped(
    piece_km2: np.ndarray,
    piece_people: np.ndarray,
    *,
    uncovered_people: float,
    uncovered_km2: float,
    min_area_km2: float,
    known_people: bool,
    label: str,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Which pieces are kept (at least ``min_area_km2``), and what the others hold (logged).

    The people and area dropped as slivers, and those of uncovered cells outside every
    commune; people are NaN when unknown (``known_people`` false).
    """
    keep = piece_km2 >= min_area_km2
    sliver_people = float(piece_people[~keep].sum())
    outside_people = uncovered_people - float(piece_people.sum())
    dropped = {
        "slivers": int((~keep & (piece_km2 > 0)).sum()),
        "sliver_people": sliver_people if known_people else math.nan,
        "sliver_area_km2": float(piece_km2[~keep].sum()),
        "outside_communes_people": outside_people if known_people else math.nan,
        "outside_communes_area_km2": max(0.0, uncovered_km2 - float(piece_km2.sum())),
        "min_area_km2": min_area_km2,
    }
    log.info(
        "%s gaps: dropped %d sliver(s) under %.3f km2 (%.0f people, %.2f km2); "
        "%.0f uncovered people and %.1f km2 lie outside every commune",
        label,
        dropped["slivers"],
        min_area_km2,
        dropped["sliver_people"],
        dropped["sliver_area_km2"],
        dropped["outside_communes_people"],
        dropped["outside_communes_area_km2"],
    )
    return keep, dropped


# --------------------------------------------------------------- labels of the kept pieces


def _locate(
    frame: gpd.GeoDataFrame, grid: Grid, highest_m: np.ndarray, highest_cell: np.ndarray
) -> None:
    """Add centroid and highest-ground columns, in degrees (EPSG:4326)."""
    pieces = np.asarray(frame.geometry.array)
    centroid = shapely.centroid(pieces) if len(pieces) else np.zeros(0, dtype=object)
    lon, lat = transform_xy(grid.crs, WGS84, shapely.get_x(centroid), shapely.get_y(centroid))
    frame["centroid_lat"], frame["centroid_lon"] = lat, lon
    frame["highest_ground_m"] = highest_m
    has_high = np.isfinite(highest_m)
    cols = grid.shape[1]
    row = np.where(has_high, highest_cell // cols, 0)
    col = np.where(has_high, highest_cell % cols, 0)
    hlon, hlat = transform_xy(grid.crs, WGS84, *grid.xy(row, col))
    frame["highest_ground_lat"] = np.where(has_high, hlat, np.nan)
    frame["highest_ground_lon"] = np.where(has_high, hlon, np.nan)


def _label_previous(
    frame: gpd.GeoDataFrame, previous: gpd.GeoDataFrame, result: CoverageResult
) -> None:
    """Add previous_commune_id / _name: the pre-2025 commune each piece overlaps most."""
    previous_w = in_crs(previous, result.crs, what="previous communes")
    ids = (
        previous_w["commune_id"]
        if "commune_id" in previous_w
        else pd.Series(previous_w.index, index=previous_w.index)
    )
    names = previous_w.get("name", ids)
    best_id = np.full(len(frame), None, dtype=object)
    best_name = np.full(len(frame), None, dtype=object)
    if len(frame):
        left, right = previous_w.sindex.query(frame.geometry.array, predicate="intersects")
        overlap = shapely.area(
            shapely.intersection(
                np.asarray(frame.geometry.array)[left], np.asarray(previous_w.geometry.array)[right]
            )
        )
        pairs = pd.DataFrame({"piece": left, "previous": right, "overlap": overlap})
        pairs = pairs[pairs["overlap"] > 0]
        top = pairs.loc[pairs.groupby("piece")["overlap"].idxmax()] if len(pairs) else pairs
        best_id[top["piece"].to_numpy()] = ids.to_numpy()[top["previous"].to_numpy()]
        best_name[top["piece"].to_numpy()] = names.to_numpy()[top["previous"].to_numpy()]
    frame["previous_commune_id"] = best_id
    frame["previous_commune_name"] = best_name


def _nearest_sites(frame: gpd.GeoDataFrame, result: CoverageResult) -> None:
    """Add nearest_site_<op> and nearest_site_km_<op> for every operator with sites."""
    towers = result.towers
    if towers is None or len(towers) == 0 or "operator" not in towers.columns:
        return
    towers = towers if towers.crs is None or towers.crs == result.crs else towers.to_crs(result.crs)
    site_ids = towers["site_id"] if "site_id" in towers.columns else pd.Series(towers.index)
    for operator in sorted(towers["operator"].astype(str).unique()):
        own = towers[towers["operator"].astype(str) == operator]
        ids = site_ids.loc[own.index].to_numpy()
        key = slug(operator)
        if len(frame) == 0:
            frame[f"nearest_site_{key}"] = pd.Series(dtype=object)
            frame[f"nearest_site_km_{key}"] = pd.Series(dtype=float)
            continue
        (piece, site), distance = own.sindex.nearest(
            frame.geometry.array, return_all=False, return_distance=True
        )
        nearest = np.full(len(frame), None, dtype=object)
        km = np.full(len(frame), np.nan)
        nearest[piece] = ids[site]
        km[piece] = distance / 1000.0
        frame[f"nearest_site_{key}"] = nearest
        frame[f"nearest_site_km_{key}"] = km


__all__ = [
    "NO_OPERATOR",
    "check_operator_names",
    "commune_coverage",
    "coverage_masks",
    "gap_polygons",
    "slug",
]
