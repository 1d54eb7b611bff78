"""Gap polygons: contiguous areas without signal, cut by commune, ranked by people left out."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from coverage.gaps.attributes import label_previous, locate, nearest_sites
from coverage.gaps.communes import COMMUNE_COLUMNS
from coverage.gaps.masks import NO_OPERATOR, cell_area_km2, check_operator_names, covered_for, slug
from coverage.gaps.pieces import (
    GapRows,
    cut_by_communes,
    gap_rows,
    outside_communes,
    people_of_pieces,
    piece_cells,
    uncovered_pairs,
    vectorise,
)
from coverage.grid import Grid
from coverage.i18n import message
from coverage.model import CoverageResult
from coverage.population import PopulationGrid
from coverage.terrain import Terrain
from coverage.zonal import CommunesOnGrid, communes_on_grid

__all__ = ["gap_polygons", "ranked_gaps"]


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
    vectorised with :func:`rasterio.features.shapes` and cut along commune borders into
    pieces. Each piece of at least ``min_area_km2`` is a row (``kind`` ``area``); a
    commune's smaller pieces (slivers along borders, single stray cells) are gathered in
    one row (``kind`` ``scattered``, a multipolygon), ranked like the others. So every
    uncovered person inside a commune is in exactly one row: a commune's rows add up to
    its ``uncovered_population_<operator>`` (``_any`` for ``operator=None``) of
    :func:`~coverage.gaps.commune_coverage`. Only the uncovered cells outside every
    commune are in no row; they are counted, never silently: the frame's
    ``attrs["dropped"]`` holds ``outside_communes_people`` and
    ``outside_communes_area_km2`` (also logged at INFO level) and ``min_area_km2``.

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
        Smallest piece listed as a row of its own (smaller ones: the commune's
        ``scattered`` row).
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
        One row per piece of at least ``min_area_km2`` and one ``scattered`` row per
        commune holding smaller ones, in the working CRS, sorted by ``rank``:

        ================================  =====================================================
        column                            meaning
        ================================  =====================================================
        ``gap_id``                        ``<operator slug>-<rank>``, e.g. ``viettel-0001``
        ``rank``                          1 = most uncovered people (ties: larger area first)
        ``operator``                      the operator lacking signal, or ``no operator``
        ``kind``                          ``area``: one piece of a contiguous area;
                                          ``scattered``: the commune's pieces smaller than
                                          ``min_area_km2``, together
        ``pieces``                        number of pieces in the row (1 for ``area``)
        ``area_id``                       contiguous uncovered area the piece belongs to
                                          (missing for ``scattered``)
        ``contiguous_area_km2``           area of that contiguous area inside the communes
                                          (NaN for ``scattered``)
        ``commune_id`` ``commune_name``   2025 commune (from ``commune_id``, ``name``...)
        ``district`` ``province``
        ``previous_commune_id``           pre-2025 commune overlapping most (only when
        ``previous_commune_name``         ``previous_communes`` is given)
        ``area_km2``                      area of the row's piece(s)
        ``people``                        people without signal in the row's piece(s)
        ``centroid_lat`` ``centroid_lon`` centroid, degrees (EPSG:4326)
        ``highest_ground_m``              highest cell-centre elevation in the row (NaN
                                          without terrain)
        ``highest_ground_lat`` ``_lon``   where it is, degrees (EPSG:4326)
        ``nearest_site_<op>``             ``site_id`` of the operator's nearest site
        ``nearest_site_km_<op>``          distance from the piece's edge to it, km (0 inside)
        ``model_flagged_share``           share of the row where the model is outside its
                                          validity range (:class:`coverage.Validity`), 0-1
        ================================  =====================================================

    Examples
    --------
    >>> import pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from coverage.grid import Grid
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
        population.check_grid(result.grid, what=message("errors.population.coverage_result"))
    if on_grid is None:
        on_grid = communes_on_grid(communes, result.grid, supersample=supersample)
    on_grid.check(communes, result.grid)
    if elevation_m is None and terrain is not None:
        elevation_m = terrain.elevation_on(result.grid)
    if operator is not None:
        check_operator_names([operator])
    label = NO_OPERATOR if operator is None else str(operator)
    uncovered = ~covered_for(result, operator)
    areas, _ = ndimage.label(uncovered)  # 4-connected, as shapes(connectivity=4)
    people = population.people if population is not None else np.zeros(result.shape)

    area_ids, pieces, area_of_piece, commune_of_piece = cut_by_communes(
        vectorise(areas, result.grid), on_grid.communes, on_grid.borders
    )
    piece_km2 = shapely.area(pieces) / 1e6
    rows = gap_rows(pieces, area_of_piece, commune_of_piece, min_area_km2=min_area_km2)
    pair_of_piece = area_ids[area_of_piece] * on_grid.fractions.n_zones + commune_of_piece
    pairs = uncovered_pairs(on_grid.fractions, areas)
    cells = piece_cells(on_grid.fractions, pairs, pair_of_piece, pieces, result.grid)
    piece_people = people_of_pieces(
        cells.zone_sum(people), piece_km2, pair_of_piece, pairs=pairs, people=people
    )
    return ranked_gaps(
        rows,
        label=label,
        area_ids=area_ids,
        area_of_piece=area_of_piece,
        piece_km2=piece_km2,
        piece_people=piece_people if population is not None else None,
        piece_highest=cells.zone_max(
            elevation_m if elevation_m is not None else np.full(result.shape, np.nan)
        ),
        piece_cells=cells.zone_cells(),
        piece_flagged=cells.zone_sum((result.validity != 0).astype(np.float64)),
        uncovered_people=float(np.where(uncovered, people, 0.0).sum()),
        uncovered_cells=int(uncovered.sum()),
        communes_w=on_grid.communes,
        grid=result.grid,
        towers=result.towers,
        previous_communes=previous_communes,
        min_area_km2=min_area_km2,
    )


def ranked_gaps(
    rows: GapRows,
    *,
    label: str,
    area_ids: np.ndarray,
    area_of_piece: np.ndarray,
    piece_km2: np.ndarray,
    piece_people: np.ndarray | None,
    piece_highest: tuple[np.ndarray, np.ndarray],
    piece_cells: np.ndarray,
    piece_flagged: np.ndarray,
    uncovered_people: float,
    uncovered_cells: int,
    communes_w: gpd.GeoDataFrame,
    grid: Grid,
    towers: gpd.GeoDataFrame | None,
    previous_communes: gpd.GeoDataFrame | None,
    min_area_km2: float,
) -> gpd.GeoDataFrame:
    """:func:`gap_polygons`' ranked frame from its rows and their pieces' figures.

    Per piece: ``area_of_piece`` (position in ``area_ids``, the contiguous-area labels),
    ``piece_km2``, ``piece_people`` (None: people unknown), ``piece_highest`` (highest
    elevation and its flat cell on ``grid``, as
    :meth:`coverage.zonal.CommuneFractions.zone_max`), ``piece_cells`` and
    ``piece_flagged`` (cells, and cells the model's validity flags, in whole cells).
    ``uncovered_people`` and ``uncovered_cells``: totals over the grid, for what lies
    outside every commune. All but the geometry are sums over cells, so that grid tiles'
    figures add up to them (:mod:`coverage.cluster.gaps`).
    """
    # a contiguous area's size counts only its parts inside the communes
    contiguous_km2 = np.bincount(area_of_piece, weights=piece_km2, minlength=len(area_ids))
    row_km2 = rows.sum(piece_km2)
    row_people = rows.sum(piece_people if piece_people is not None else np.zeros(len(piece_km2)))
    piece_highest_m, piece_highest_cell = piece_highest
    top = rows.argmax(piece_highest_m)
    highest_m = np.where(top >= 0, piece_highest_m[top], np.nan)
    highest_cell = np.where(top >= 0, piece_highest_cell[top], 0)
    row_cells = rows.sum(piece_cells)
    flagged = rows.sum(piece_flagged)
    outside = outside_communes(
        row_people,
        row_km2,
        uncovered_people=uncovered_people,
        uncovered_km2=float(uncovered_cells) * cell_area_km2(grid),
        known_people=piece_people is not None,
        rows=rows,
        min_area_km2=min_area_km2,
        label=label,
    )

    is_area = rows.area >= 0
    area_of_row = area_ids[np.where(is_area, rows.area, 0)] if len(area_ids) else rows.area
    out: dict[str, Any] = {
        "operator": label,
        "kind": rows.kind,
        "pieces": rows.pieces,
        "area_id": pd.array(np.where(is_area, area_of_row, 0), dtype="Int64"),
        "contiguous_area_km2": np.where(
            is_area, contiguous_km2[np.where(is_area, rows.area, 0)] if len(area_ids) else 0, np.nan
        ),
    }
    out["area_id"][~is_area] = pd.NA
    for column in COMMUNE_COLUMNS:
        if column in communes_w.columns:
            name = "commune_name" if column == "name" else column
            out[name] = communes_w[column].to_numpy()[rows.commune]
    frame = gpd.GeoDataFrame(out, geometry=rows.geometry, crs=grid.crs)
    frame["area_km2"] = row_km2
    frame["people"] = row_people if piece_people is not None else np.nan
    frame["model_flagged_share"] = np.divide(
        flagged, row_cells, out=np.zeros(len(row_cells)), where=row_cells > 0
    )
    if previous_communes is not None:
        label_previous(frame, previous_communes, grid.crs)
    locate(frame, grid, highest_m, highest_cell)
    nearest_sites(frame, towers, grid.crs)

    order = np.lexsort(
        (-frame["area_km2"].to_numpy(), -np.nan_to_num(frame["people"].to_numpy(), nan=-1.0))
    )
    frame = frame.iloc[order].reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.insert(0, "gap_id", [f"{slug(label)}-{r:04d}" for r in frame["rank"]])
    frame.attrs["dropped"] = outside | {"min_area_km2": min_area_km2}
    frame.attrs["operator"] = label
    return frame
