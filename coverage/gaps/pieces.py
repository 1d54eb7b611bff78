"""Gap pieces: contiguous uncovered areas, vectorised and cut along commune borders.

Each contiguous area of uncovered cells becomes one (multi)polygon, is cut by the communes
it crosses and exploded into single polygons (the pieces); pieces too small to list apart
are accounted for, never silently.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import rasterio.features
import shapely
import shapely.geometry

from coverage.grid import Grid
from coverage.zonal import CommuneFractions, CommunesOnGrid

log = logging.getLogger(__name__)


def vectorise(areas: np.ndarray, grid: Grid) -> dict[int, Any]:
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


def cut_by_communes(
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
    pieces, origin = explode_polygons(cut)
    return area_ids, pieces, left[origin], right[origin]


def explode_polygons(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def flagged_share(cells: CommuneFractions, validity: np.ndarray) -> np.ndarray:
    """Share of each zone's cells where the model is outside its validity range."""
    total = cells.zone_cells().astype(np.float64)
    return np.divide(
        cells.zone_sum((validity != 0).astype(np.float64)),
        total,
        out=np.zeros(total.shape, dtype=np.float64),
        where=total > 0,
    )


# ------------------------------------------------------- accounting for what is dropped


def dropped_pieces(
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
