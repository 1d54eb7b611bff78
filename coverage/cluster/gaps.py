"""The ranked gap lists of a tiled coverage, computed tile by tile: :func:`gaps_tiled`.

The whole grid is never held in one place. Two rounds of tile tasks
(:mod:`coverage.cluster.gap_tiles`) run on the cluster; between them the driver holds only
vectors and per-component figures:

1. Each tile labels its uncovered cells per operator (and for nobody), 4-connected, and
   sends back each component's outline in whole-grid pixel coordinates (exact), its first
   cell, the labels along its edges and its people per commune.
2. The driver joins the components that meet across a tile border (the same cell row or
   column on both sides, both uncovered: 4-connectivity, as the whole-grid labelling),
   numbers the joined areas in the whole grid's row-major order (as
   :func:`scipy.ndimage.label` numbers them), unions their outlines into the areas'
   polygons, maps them onto the working CRS with the grid's transform (the arithmetic
   GDAL's polygonizer does), and cuts them by the communes into pieces and rows exactly
   as :func:`coverage.gaps.gap_polygons` does.
3. Each tile rasterises the pieces that reach it and sends back their people, cells,
   flagged cells and highest ground; the driver adds them up, splits each commune's
   people of an area between its pieces, and ranks with :func:`coverage.gaps.polygons.
   ranked_gaps`, the single-machine code.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from coverage import errors
from coverage.cluster.gap_tiles import (
    ComponentsOfTile,
    GapTile,
    PieceSums,
    label_tile,
    measure_tile,
)
from coverage.cluster.run import TiledCoverage, connect
from coverage.cluster.tiles import Tile, touching
from coverage.errors import ClusterError, SchemaError
from coverage.gaps.masks import NO_OPERATOR, check_operator_names
from coverage.gaps.pieces import GapRows, cut_by_communes, gap_rows, split_pair_people
from coverage.gaps.polygons import ranked_gaps
from coverage.grid import Grid
from coverage.i18n import message
from coverage.io.dem import dem_files
from coverage.zonal import auto_supersample, in_crs, without_overlaps

__all__ = ["gaps_tiled"]

log = logging.getLogger(__name__)

_TILE_NAME = re.compile(r"r(\d{6,})_c(\d{6,})")


def gaps_tiled(
    tiled: TiledCoverage,
    communes: gpd.GeoDataFrame,
    *,
    towers: gpd.GeoDataFrame | None = None,
    population: str | os.PathLike[str] | None = None,
    dem: str | os.PathLike[str] | list[str | os.PathLike[str]] | None = None,
    previous_communes: gpd.GeoDataFrame | None = None,
    operators: Sequence[str] | None = None,
    min_area_km2: float = 0.1,
    supersample: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Ranked gap lists of a :func:`~coverage.cluster.predict_tiled` run, tile by tile.

    The rows :func:`coverage.analysis.analyse` lists in ``gaps`` (no operator first,
    then every operator): for each, the contiguous uncovered areas cut by commune, one
    ``area`` row per piece of at least ``min_area_km2`` and one ``scattered`` row per
    commune of the smaller pieces, with :func:`coverage.gaps.gap_polygons`' columns and
    ranks. Each tile's task reads only its own GeoTIFFs, its cells of ``population`` and
    of ``dem``; the driver joins the pieces that cross tile borders (see the module).
    Rows, people (to rounding: sums in another order), areas and ranks are those of
    :func:`~coverage.gaps.gap_polygons` on the whole grid; geometries are the same
    shapes, their vertices possibly listed from another start. ``highest_ground_*`` may
    name another cell of exactly the same elevation.

    Parameters
    ----------
    tiled
        The tiled coverage (its folder is read by the workers: on a cluster, shared
        storage).
    communes
        2025 communes, any CRS.
    towers
        The towers of the run, for ``nearest_site_<op>`` (left out without them).
    population
        The population raster given to ``predict_tiled`` (people NaN without it).
    dem
        DEM files or folder, for ``highest_ground_*`` (NaN without it).
    previous_communes
        Pre-2025 communes, to name each gap's old commune too.
    operators
        Operators to list gaps for (default: all the layers'), after ``no operator``.
    min_area_km2
        Smallest piece listed as a row of its own.
    supersample
        Fine pixels per cell side for splitting cells between communes (default as
        :func:`coverage.zonal.communes_on_grid`).
    scheduler
        None (this process), ``"local:N"``, an address or a ``distributed.Client``
        (:func:`coverage.cluster.connect`).
    progress
        Called with the number of tile tasks done (two per tile).

    Returns
    -------
    geopandas.GeoDataFrame
        The gap rows of every operator, in the working CRS; ``attrs["dropped"]`` per
        operator as :func:`coverage.analysis.analyse`'s.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from coverage.cluster import predict_tiled
    >>> from coverage.io.rasters import write_terrain
    >>> from coverage.terrain import Terrain
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_terrain(Terrain.from_array(np.full((60, 60), 300.0), transform=Affine(30, 0,
    ...     500_000, 0, -30, 2_500_000), crs="EPSG:32648"), folder / "dem.tif")
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"],
    ...     "technology": ["4G"], "frequency_mhz": [1800.0], "antenna_height_m": [30.0],
    ...     "eirp_dbm": [60.0]}, geometry=gpd.points_from_xy([500_900.0], [2_499_100.0]),
    ...     crs="EPSG:32648")
    >>> tiled = predict_tiled(towers, folder, folder / "out", tile_size=16, radius_m=600.0,
    ...     bounds=(500_000, 2_498_200, 501_800, 2_500_000), bounds_crs="EPSG:32648")
    >>> communes = gpd.GeoDataFrame({"name": ["Y Tý"]}, crs="EPSG:32648",
    ...     geometry=[box(500_000, 2_498_200, 501_800, 2_500_000)])
    >>> gaps = gaps_tiled(tiled, communes, towers=towers)
    >>> gaps[["gap_id", "kind", "commune_name"]].values.tolist()
    [['no_operator-0001', 'area', 'Y Tý'], ['viettel-0001', 'area', 'Y Tý']]
    """
    grid = tiled.grid
    layer_operators = list(dict.fromkeys(tiled.layers["operator"].astype(str)))
    names = list(operators) if operators is not None else sorted(layer_operators)
    check_operator_names(names)
    for name in names:
        if name not in layer_operators:
            raise SchemaError(
                message(
                    "errors.cluster_gaps_unknown_operator",
                    operator=name,
                    known=", ".join(layer_operators) or "-",
                )
            )
    keys: tuple[str | None, ...] = (None, *names)
    communes_w = in_crs(communes, grid.crs, what="communes")
    k = supersample or auto_supersample(abs(grid.transform.a))
    tiles = _tiles_of(tiled)
    files = None if dem is None else tuple(str(p) for p in dem_files(dem))
    jobs = []
    for tile in tiles:
        tile_grid = grid.window(tile.row0, tile.col0, tile.rows, tile.cols)
        places = touching(communes_w, tile_grid)
        jobs.append(
            GapTile(
                tile=tile, grid=grid, folder=str(tiled.folder), layers=tiled.layers, keys=keys,
                supersample=k, communes=communes_w.iloc[places], commune_positions=places,
                population=None if population is None else str(population), dem=files,
            )
        )  # fmt: skip
    borders = without_overlaps(np.asarray(communes_w.geometry.array))
    with _client(scheduler) as client:
        labelled = _map(client, label_tile, [(job,) for job in jobs], progress, done=0)
        cut = [
            _pieces(tiles, [by_key[i] for by_key in labelled], grid, communes_w, borders,
                    min_area_km2=min_area_km2)
            for i in range(len(keys))
        ]  # fmt: skip
        sent = [_pieces_for(jobs[t], cut) for t in range(len(jobs))]
        measured = _map(
            client, measure_tile, [(job, own) for job, own in zip(jobs, sent, strict=True)],
            progress, done=len(jobs),
        )  # fmt: skip
    frames, dropped = [], {}
    for i, key in enumerate(keys):
        frame = _ranked(
            cut[i], [by_key[i] for by_key in measured], key, grid, communes_w, towers,
            previous_communes, min_area_km2, known_people=population is not None,
        )  # fmt: skip
        dropped[str(frame.attrs["operator"])] = frame.attrs["dropped"]
        frames.append(frame)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=grid.crs)
    out.attrs["dropped"] = dropped
    log.info(
        message(
            "errors.cluster_gaps_log_rows", operators=len(names), tiles=len(tiles), rows=len(out)
        )
    )
    return out


def _tiles_of(tiled: TiledCoverage) -> list[Tile]:
    """The tiles ``predict_tiled`` wrote (``tiles/r<row0>_c<col0>``), row by row."""
    starts = sorted(
        (int(m.group(1)), int(m.group(2)))
        for m in (_TILE_NAME.fullmatch(p.name) for p in (tiled.folder / "tiles").glob("r*_c*"))
        if m is not None
    )
    if not starts:
        raise ClusterError(message("errors.cluster_gaps_no_tiles", folder=tiled.folder))
    rows, cols = tiled.grid.shape
    row_starts = sorted({r for r, _ in starts}) + [rows]
    col_starts = sorted({c for _, c in starts}) + [cols]
    next_row = dict(zip(row_starts[:-1], row_starts[1:], strict=True))
    next_col = dict(zip(col_starts[:-1], col_starts[1:], strict=True))
    return [Tile(r, c, next_row[r] - r, next_col[c] - c) for r, c in starts]


class _InProcess:
    """Stands for a client when ``scheduler`` is None: tasks run here, one after another."""


def _client(scheduler: Any) -> Any:
    """A context giving a ``distributed.Client``, or :class:`_InProcess` for None."""
    if scheduler is None:
        return nullcontext(_InProcess())
    return connect(scheduler)


def _map(
    client: Any,
    task: Callable[..., Any],
    arguments: list[tuple[Any, ...]],
    progress: Callable[[int], None] | None,
    *,
    done: int,
) -> list[Any]:
    """``task(*args)`` for each of ``arguments``, here or on the cluster, in their order."""
    results: list[Any] = [None] * len(arguments)
    for count, (i, value) in enumerate(_results(client, task, arguments), start=done + 1):
        results[i] = value
        if progress is not None:
            progress(count)
    return results


def _results(
    client: Any, task: Callable[..., Any], arguments: list[tuple[Any, ...]]
) -> Iterator[tuple[int, Any]]:
    if isinstance(client, _InProcess):
        for i, args in enumerate(arguments):
            yield i, task(*args)
        return
    from distributed import KilledWorker, as_completed
    from distributed.client import FutureCancelledError

    futures = [client.submit(task, *args, pure=False) for args in arguments]
    position = {future.key: i for i, future in enumerate(futures)}
    try:
        for future in as_completed(futures):
            yield position[future.key], future.result()
    except errors.CoverageError:
        raise
    except KilledWorker as exc:
        raise ClusterError(message("errors.cluster_gaps_worker_died", reason=exc)) from exc
    except (FutureCancelledError, OSError) as exc:
        raise ClusterError(message("errors.cluster_gaps_cluster_stopped", reason=exc)) from exc
    finally:
        client.cancel(futures)


# ------------------------------------------- joining the tiles' components into the grid's areas


@dataclass(frozen=True, eq=False)
class _Cut:
    """One key's areas cut into pieces and rows, and the tiles' people of its pairs.

    ``pair``/``pair_people``: the tiles' people of each (area label x communes + commune)
    pair, one entry per tile and pair (added up later); ``piece_pair``: each piece's pair.
    """

    area_ids: np.ndarray
    pieces: np.ndarray
    area_of_piece: np.ndarray
    piece_km2: np.ndarray
    rows: GapRows
    piece_pair: np.ndarray
    pair: np.ndarray
    pair_people: np.ndarray
    tree: Any
    uncovered_people: float
    uncovered_cells: int


def _neighbours(tiles: list[Tile]) -> Iterable[tuple[int, int, str]]:
    """(tile, neighbour, side) for every right ("right") and lower ("below") neighbour."""
    at = {(t.row0, t.col0): i for i, t in enumerate(tiles)}
    for i, t in enumerate(tiles):
        if (t.row0, t.col0 + t.cols) in at:
            yield i, at[(t.row0, t.col0 + t.cols)], "right"
        if (t.row0 + t.rows, t.col0) in at:
            yield i, at[(t.row0 + t.rows, t.col0)], "below"


def _areas(tiles: list[Tile], parts: list[ComponentsOfTile], shape: tuple[int, int]) -> np.ndarray:
    """The whole grid's area label (1..) of every component, components listed tile by tile."""
    base = np.concatenate([[0], np.cumsum([p.count for p in parts])]).astype(np.int64)
    n = int(base[-1])
    left, right = [], []
    for i, j, side in _neighbours(tiles):
        top, bottom, first_col, last_col = parts[i].edges
        a, b = (last_col, parts[j].edges[2]) if side == "right" else (bottom, parts[j].edges[0])
        both = (a > 0) & (b > 0)  # the same cell row (column) on both sides of the border
        left.append(base[i] + a[both] - 1)
        right.append(base[j] + b[both] - 1)
    edges = np.concatenate(left) if left else np.zeros(0, dtype=np.int64)
    ends = np.concatenate(right) if right else np.zeros(0, dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(len(edges)), (edges, ends)), shape=(n, n))
    m, area = connected_components(graph, directed=False)
    first = np.concatenate([p.first for p in parts]) if n else np.zeros((0, 2), np.int64)
    flat = first[:, 0] * shape[1] + first[:, 1]
    area_first = np.full(m, np.iinfo(np.int64).max)
    np.minimum.at(area_first, area, flat)
    label = np.empty(m, dtype=np.int64)
    label[np.argsort(area_first)] = np.arange(1, m + 1)  # ndimage.label's row-major order
    return label[area]


def _to_world(geometry: Any, grid: Grid) -> Any:
    """Pixel coordinates (column, row of cell corners) onto the grid's CRS, as GDAL does."""
    t = grid.transform

    def apply(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [t.c + xy[:, 0] * t.a + xy[:, 1] * t.b, t.f + xy[:, 0] * t.d + xy[:, 1] * t.e]
        )

    return shapely.transform(geometry, apply)


def _pieces(
    tiles: list[Tile],
    parts: list[ComponentsOfTile],
    grid: Grid,
    communes_w: gpd.GeoDataFrame,
    borders: np.ndarray,
    *,
    min_area_km2: float,
) -> _Cut:
    """One key's areas from its components, cut by the communes into pieces and rows."""
    area_of_component = _areas(tiles, parts, grid.shape)
    outlines = [outline for p in parts for outline in p.outlines]
    grouped: dict[int, list[Any]] = {}
    for label, outline in zip(area_of_component.tolist(), outlines, strict=True):
        grouped.setdefault(label, []).append(outline)
    polygons = {
        label: _to_world(shapely.union_all(own) if len(own) > 1 else own[0], grid)
        for label, own in grouped.items()
    }
    area_ids, pieces, area_of_piece, commune_of_piece = cut_by_communes(
        polygons, communes_w, borders
    )
    piece_km2 = shapely.area(pieces) / 1e6
    rows = gap_rows(pieces, area_of_piece, commune_of_piece, min_area_km2=min_area_km2)
    # people of each (area, commune): the tiles' sums over their cells, added
    base = np.concatenate([[0], np.cumsum([p.count for p in parts])]).astype(np.int64)
    n_zones = len(communes_w)
    pair = np.concatenate(
        [area_of_component[base[i] + p.pair_label - 1] * n_zones + p.pair_commune
         for i, p in enumerate(parts)] + [np.zeros(0, dtype=np.int64)]
    )  # fmt: skip
    pair_people = np.concatenate([p.pair_people for p in parts] + [np.zeros(0)])
    return _Cut(
        area_ids=area_ids, pieces=pieces, area_of_piece=area_of_piece, piece_km2=piece_km2,
        rows=rows, piece_pair=area_ids[area_of_piece] * n_zones + commune_of_piece,
        pair=pair, pair_people=pair_people, tree=shapely.STRtree(pieces),
        uncovered_people=float(sum(p.uncovered_people for p in parts)),
        uncovered_cells=int(sum(p.uncovered_cells for p in parts)),
    )  # fmt: skip


def _pieces_for(job: GapTile, cut: list[_Cut]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each key's pieces reaching the tile, in the driver's order (the ids sent along)."""
    box = shapely.box(*job.tile_grid.bounds)
    out = []
    for one in cut:
        ids = np.sort(one.tree.query(box, predicate="intersects")).astype(np.int64)
        out.append((one.pieces[ids], ids))
    return out


def _ranked(
    cut: _Cut,
    sums: list[PieceSums],
    key: str | None,
    grid: Grid,
    communes_w: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame | None,
    previous: gpd.GeoDataFrame | None,
    min_area_km2: float,
    *,
    known_people: bool,
) -> gpd.GeoDataFrame:
    """One key's ranked rows from its pieces and the tiles' sums over them."""
    n = len(cut.pieces)
    estimate, cells, flagged = np.zeros(n), np.zeros(n), np.zeros(n)
    ids = np.concatenate([s.ids for s in sums] + [np.zeros(0, dtype=np.int64)])
    for name, total in (("people", estimate), ("cells", cells), ("flagged", flagged)):
        np.add.at(total, ids, np.concatenate([getattr(s, name) for s in sums] + [np.zeros(0)]))
    value = np.concatenate([s.highest_m for s in sums] + [np.zeros(0)])
    where = np.concatenate([s.highest_cell for s in sums] + [np.zeros(0, dtype=np.int64)])
    highest_m, highest_cell = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    finite = np.flatnonzero(np.isfinite(value))
    order = finite[np.lexsort((where[finite], -value[finite], ids[finite]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ids[order][1:] != ids[order][:-1]
    highest_m[ids[order[first]]] = value[order[first]]
    highest_cell[ids[order[first]]] = where[order[first]]
    pairs, position = np.unique(np.concatenate([cut.pair, cut.piece_pair]), return_inverse=True)
    exact = np.bincount(position[: len(cut.pair)], weights=cut.pair_people, minlength=len(pairs))
    people = split_pair_people(exact, position[len(cut.pair) :], estimate, cut.piece_km2)
    return ranked_gaps(
        cut.rows,
        label=NO_OPERATOR if key is None else key,
        area_ids=cut.area_ids,
        area_of_piece=cut.area_of_piece,
        piece_km2=cut.piece_km2,
        piece_people=people if known_people else None,
        piece_highest=(highest_m, highest_cell),
        piece_cells=cells,
        piece_flagged=flagged,
        uncovered_people=cut.uncovered_people,
        uncovered_cells=cut.uncovered_cells,
        communes_w=communes_w,
        grid=grid,
        towers=towers,
        previous_communes=previous,
        min_area_km2=min_area_km2,
    )
