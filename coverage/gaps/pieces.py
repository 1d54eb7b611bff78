"""Gap pieces: contiguous uncovered areas, vectorised and cut along commune borders.

Each contiguous area of uncovered cells becomes one (multi)polygon, is cut by the communes
it crosses and exploded into single polygons (the pieces). Each piece of at least the
smallest area listed is a row of its own; a commune's smaller pieces are gathered in one
``scattered`` row, so every uncovered place inside a commune is in exactly one row.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import rasterio.features
import shapely
import shapely.geometry
from scipy import ndimage

from coverage.grid import Grid
from coverage.i18n import message
from coverage.zonal import CommuneFractions, commune_fractions

log = logging.getLogger(__name__)


def vectorise(areas: np.ndarray, grid: Grid) -> dict[int, Any]:
    """One (multi)polygon per contiguous-area label, in the grid's CRS.

    Areas that fill their bounding rectangle (single cells, rows of cells: most areas of
    a rough province) are drawn as that rectangle directly; the others are traced by
    :func:`rasterio.features.shapes`, which gives a rectangle the same four corners in
    the same order.
    """
    count = int(areas.max(initial=0))
    if count == 0:
        return {}
    labels, boxes = _rectangles(areas, count)
    polygons = dict(zip(labels.tolist(), _rectangle_polygons(boxes, grid), strict=True))
    if len(labels) == count:
        return polygons
    traced = np.ones(count + 1, dtype=bool)
    traced[0] = False
    traced[labels] = False
    shapes = list(
        rasterio.features.shapes(
            areas.astype(np.int32), mask=traced[areas], connectivity=4, transform=grid.transform
        )
    )
    parts: dict[int, list[Any]] = {}
    for polygon, (_, value) in zip(_polygons(shapes), shapes, strict=True):
        parts.setdefault(int(value), []).append(polygon)
    for key, geoms in parts.items():
        polygons[key] = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    return polygons


def _rectangles(areas: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels of the areas that fill their bounding box, and the boxes (row0, col0, row1, col1)."""
    cells = np.bincount(areas.reshape(-1), minlength=count + 1)[1:]
    found = ndimage.find_objects(areas, max_label=count)
    boxes = np.array(
        [(s[0].start, s[1].start, s[0].stop, s[1].stop) if s else (0, 0, 0, 0) for s in found],
        dtype=np.int64,
    ).reshape(-1, 4)  # a label absent from ``areas`` has no box (None)
    full = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) == cells) & (cells > 0)
    return np.flatnonzero(full) + 1, boxes[full]


def _rectangle_polygons(boxes: np.ndarray, grid: Grid) -> np.ndarray:
    """Rectangles of cells as ``shapes`` draws them: from the upper-left corner down."""
    row0, col0, row1, col1 = boxes.T
    rows = np.stack([row0, row1, row1, row0, row0], axis=1).astype(float)
    cols = np.stack([col0, col0, col1, col1, col0], axis=1).astype(float)
    x, y = grid.xy(rows, cols, offset="ul")
    return shapely.polygons(np.stack([x, y], axis=2))


def _polygons(shapes: list[tuple[dict[str, Any], float]]) -> np.ndarray:
    """The GeoJSON polygons ``rasterio.features.shapes`` yields, built by shapely at once.

    The same rings, vertices and order as ``shapely.geometry.shape`` of each (which builds
    them one by one: 40 µs a polygon, most of the time of a province's gap lists).
    """
    rings = [ring for geometry, _ in shapes for ring in geometry["coordinates"]]
    per_polygon = [len(geometry["coordinates"]) for geometry, _ in shapes]
    per_ring = [len(ring) for ring in rings]
    coords = np.array([xy for ring in rings for xy in ring], dtype=float).reshape(-1, 2)
    linear = shapely.linearrings(coords, indices=np.repeat(np.arange(len(rings)), per_ring))
    return shapely.polygons(linear, indices=np.repeat(np.arange(len(shapes)), per_polygon))


# -------------------- pieces: each contiguous area cut by commune borders, exploded to polygons


def cut_by_communes(
    polygons: dict[int, Any], communes: gpd.GeoDataFrame, borders: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut each contiguous area along commune borders into single polygons.

    ``communes``: in the polygons' CRS; ``borders``: their polygons without overlaps
    (:attr:`coverage.zonal.CommunesOnGrid.borders`). Returns ``(area_ids, pieces,
    area_of_piece, commune_of_piece)``: the sorted area labels, the pieces, and for each
    piece the position of its area in ``area_ids`` and of its commune in ``communes``.
    """
    area_ids = np.array(sorted(polygons), dtype=np.int64)
    area_geoms = np.array([polygons[i] for i in area_ids], dtype=object)
    if len(area_ids):
        left, right = communes.sindex.query(area_geoms, predicate="intersects")
    else:
        left, right = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # most areas lie inside one commune: they are their own piece, with no overlay to compute.
    # The test runs on a private prepared copy of the borders: GEOS's prepared geometries are
    # not thread-safe (libgeos/geos#825) and the operators' lists share the borders on threads
    prepared = shapely.from_wkb(shapely.to_wkb(borders))
    shapely.prepare(prepared)
    inside = shapely.contains_properly(prepared[right], area_geoms[left])
    cut = area_geoms[left]
    cut[~inside] = shapely.intersection(cut[~inside], borders[right[~inside]])
    pieces, origin = explode_polygons(cut)
    # exteriors counter-clockwise, holes clockwise (GeoJSON's rule), whichever way they came
    return area_ids, shapely.orient_polygons(pieces), left[origin], right[origin]


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


# ------------------------------- cells of each piece: from the communes' cells, few rasterised


class UncoveredPairs(NamedTuple):
    """The communes' cell shares (:class:`~coverage.zonal.CommuneFractions`) that lie in
    uncovered cells, each with its *pair*: ``area label * n_zones + commune position``."""

    cell: np.ndarray
    pair: np.ndarray
    fraction: np.ndarray


def uncovered_pairs(communes: CommuneFractions, areas: np.ndarray) -> UncoveredPairs:
    """``communes``' entries in the cells ``areas`` labels (0: covered), with their pairs."""
    label = areas.reshape(-1)[communes.cell]
    inside = label > 0
    pair = label[inside].astype(np.int64) * communes.n_zones + communes.zone[inside]
    return UncoveredPairs(communes.cell[inside], pair, communes.fraction[inside])


def piece_cells(
    communes: CommuneFractions,
    pairs: UncoveredPairs,
    pair_of_piece: np.ndarray,
    pieces: np.ndarray,
    grid: Grid,
) -> CommuneFractions:
    """Each piece's share of the grid's cells, as :func:`coverage.zonal.commune_fractions`
    of all the pieces gives it, rasterising only the pieces that share their pair.

    A piece is one contiguous area (whole cells) cut by one commune, so when it is the only
    piece of its *pair* (``area label * communes.n_zones + commune position``, as
    ``pair_of_piece``) its fine pixels are exactly the pair's fine pixels in ``pairs``:
    most pieces need no rasterising. Each piece's entries keep the order rasterising
    gives them, so its sums are the same to the last bit; only a fine-pixel centre lying
    exactly on a commune border is counted where ``communes`` put it, which rasterising
    the piece alone could miss.

    Parameters
    ----------
    communes
        The communes' shares of the grid's cells.
    pairs
        Those of them in uncovered cells (:func:`uncovered_pairs`).
    pair_of_piece
        Each piece's pair.
    pieces
        The pieces' polygons, in the grid's CRS.
    grid
        The grid ``communes`` was rasterised on.
    """
    cell, pair, fraction = pairs
    keys, inverse, counts = np.unique(pair_of_piece, return_inverse=True, return_counts=True)
    alone = counts[inverse] == 1
    pair_keys = keys[inverse[alone]]
    piece_of_pair = np.flatnonzero(alone)[np.argsort(pair_keys)]
    pair_keys = np.sort(pair_keys)
    where = np.searchsorted(pair_keys, pair).clip(max=max(len(pair_keys) - 1, 0))
    found = pair_keys[where] == pair if len(pair_keys) else np.zeros(len(pair), dtype=bool)
    shared = np.flatnonzero(~alone)
    rasterised = commune_fractions(
        gpd.GeoDataFrame(geometry=pieces[shared], crs=grid.crs),
        grid=grid,
        supersample=communes.supersample,
    )
    return CommuneFractions(
        cell=np.concatenate([cell[found], rasterised.cell]),
        zone=np.concatenate([piece_of_pair[where[found]], shared[rasterised.zone]]),
        fraction=np.concatenate([fraction[found], rasterised.fraction]),
        n_zones=len(pieces),
        shape=communes.shape,
        supersample=communes.supersample,
    )


# ------------------------------------- rows: large pieces alone, small ones scattered per commune

#: ``kind`` of a gap row holding one piece of a contiguous area.
KIND_AREA = "area"

#: ``kind`` of a gap row holding a commune's pieces smaller than the smallest area listed.
KIND_SCATTERED = "scattered"


@dataclass(frozen=True)
class GapRows:
    """The gap rows of one operator, before they are described and ranked.

    Attributes
    ----------
    geometry
        One polygon per ``area`` row; one multipolygon per ``scattered`` row.
    kind
        :data:`KIND_AREA` or :data:`KIND_SCATTERED`, per row.
    area
        Position in the caller's ``area_ids`` of the row's contiguous area; -1 for a
        scattered row (its pieces may belong to several).
    commune
        Position of the row's commune in ``on_grid.communes``.
    pieces
        Number of pieces the row holds (1 for an area row).
    row_of_piece
        For each piece given, the row holding it.
    """

    geometry: np.ndarray
    kind: np.ndarray
    area: np.ndarray
    commune: np.ndarray
    pieces: np.ndarray
    row_of_piece: np.ndarray

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per row, the sum of a per-piece quantity."""
        return np.bincount(self.row_of_piece, weights=values, minlength=len(self.kind))

    def argmax(self, values: np.ndarray) -> np.ndarray:
        """Per row, the piece with the largest finite value of ``values`` (-1: none finite)."""
        best = np.full(len(self.kind), -1, dtype=np.int64)
        finite = np.flatnonzero(np.isfinite(values))
        order = finite[np.lexsort((-values[finite], self.row_of_piece[finite]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.row_of_piece[order][1:] != self.row_of_piece[order][:-1]
        best[self.row_of_piece[order[first]]] = order[first]
        return best


def gap_rows(
    pieces: np.ndarray,
    area_of_piece: np.ndarray,
    commune_of_piece: np.ndarray,
    *,
    min_area_km2: float,
) -> GapRows:
    """One row per piece of at least ``min_area_km2``; the smaller ones gathered by commune.

    Each commune's pieces smaller than ``min_area_km2`` (slivers along its borders, single
    stray cells) become one ``scattered`` row, a multipolygon of them in their order, so
    every uncovered place inside a commune is in exactly one row. Area rows come first, in
    the pieces' order, then the scattered rows in commune order: deterministic.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> pieces = np.array([box(0, 0, 1000, 1000), box(2000, 0, 2100, 100),
    ...                    box(3000, 0, 3100, 100)], dtype=object)
    >>> rows = gap_rows(pieces, np.array([0, 1, 2]), np.array([0, 0, 0]), min_area_km2=0.1)
    >>> rows.kind.tolist(), rows.area.tolist(), rows.pieces.tolist()
    (['area', 'scattered'], [0, -1], [1, 2])
    """
    large = shapely.area(pieces) / 1e6 >= min_area_km2
    small = np.flatnonzero(~large)
    communes = np.unique(commune_of_piece[small])
    scattered = np.empty(len(communes), dtype=object)
    counts = np.zeros(len(communes), dtype=np.int64)
    n_large = int(large.sum())
    row_of_piece = np.zeros(len(pieces), dtype=np.int64)
    row_of_piece[large] = np.arange(n_large)
    for i, commune in enumerate(communes):
        own = small[commune_of_piece[small] == commune]
        scattered[i] = shapely.multipolygons(list(pieces[own]))
        counts[i] = len(own)
        row_of_piece[own] = n_large + i
    return GapRows(
        geometry=np.concatenate([pieces[large], scattered]),
        kind=np.array([KIND_AREA] * n_large + [KIND_SCATTERED] * len(communes), dtype=object),
        area=np.concatenate([area_of_piece[large], np.full(len(communes), -1)]).astype(np.int64),
        commune=np.concatenate([commune_of_piece[large], communes]).astype(np.int64),
        pieces=np.concatenate([np.ones(n_large, dtype=np.int64), counts]),
        row_of_piece=row_of_piece,
    )


def people_of_pieces(
    estimate: np.ndarray,
    piece_km2: np.ndarray,
    pair_of_piece: np.ndarray,
    *,
    pairs: UncoveredPairs,
    people: np.ndarray,
) -> np.ndarray:
    """People of each piece, so that a commune's pieces hold exactly its uncovered people.

    The people of one contiguous area inside one commune (a *pair*) are summed exactly as
    the commune's figures are, over ``communes``' cell shares (:func:`coverage.zonal.
    commune_fractions`); they are then split between the pair's pieces by ``estimate``
    (each piece rasterised on its own), or by area where the estimate is zero. Rasterising
    pieces alone could miss or double a fine pixel whose centre lies on a commune border.

    Parameters
    ----------
    estimate
        People of each piece, rasterised on its own.
    piece_km2
        Area of each piece.
    pair_of_piece
        ``area label * n_zones + commune position`` of each piece.
    pairs
        The communes' shares of the uncovered cells (:func:`uncovered_pairs`).
    people
        People per cell.
    """
    cell, pair, fraction = pairs
    weight = np.asarray(people, dtype=np.float64).reshape(-1)[cell]
    keys, where = np.unique(np.concatenate([pair, pair_of_piece]), return_inverse=True)
    exact = np.bincount(where[: len(pair)], weights=weight * fraction, minlength=len(keys))
    own = where[len(pair) :]
    return split_pair_people(exact, own, estimate, piece_km2)


def split_pair_people(
    exact: np.ndarray, own: np.ndarray, estimate: np.ndarray, piece_km2: np.ndarray
) -> np.ndarray:
    """Each pair's people (``exact``) split between its pieces (``own``: each piece's pair)
    by ``estimate``, or by area where the pair's estimate is zero (:func:`people_of_pieces`)."""
    by_estimate = np.bincount(own, weights=estimate, minlength=len(exact))
    by_area = np.bincount(own, weights=piece_km2, minlength=len(exact))
    share = np.where(
        by_estimate[own] > 0,
        estimate / np.where(by_estimate[own] > 0, by_estimate[own], 1.0),
        piece_km2 / np.where(by_area[own] > 0, by_area[own], 1.0),
    )
    return exact[own] * share


# ------------------------------------------------- accounting for what lies outside every commune


def outside_communes(
    row_people: np.ndarray,
    row_km2: np.ndarray,
    *,
    uncovered_people: float,
    uncovered_km2: float,
    known_people: bool,
    rows: GapRows,
    min_area_km2: float,
    label: str,
) -> dict[str, Any]:
    """What no row holds: the uncovered people and area outside every commune (logged).

    People are NaN when unknown (``known_people`` false).
    """
    outside = {
        "outside_communes_people": uncovered_people - float(row_people.sum())
        if known_people
        else math.nan,
        "outside_communes_area_km2": max(0.0, uncovered_km2 - float(row_km2.sum())),
    }
    scattered = rows.kind == KIND_SCATTERED
    log.info(
        message(
            "errors.gaps.scattered_log",
            label=label,
            pieces=int(rows.pieces[scattered].sum()),
            min_area=f"{min_area_km2:.3f}",
            rows=int(scattered.sum()),
            area=f"{float(row_km2[scattered].sum()):.2f}",
            people=f"{outside['outside_communes_people']:.0f}",
            outside_area=f"{outside['outside_communes_area_km2']:.1f}",
        )
    )
    return outside
