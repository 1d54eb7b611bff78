"""Candidate sites from three sources, each tagged with its ``source``.

* ``"co-location"``: every existing mast (towers at one exact position) of another operator,
  at the host's position and height (passive sharing); masts already carrying three or
  more operators are flagged ``needs_structural_check``;
* ``"terrain"``: high points in and around the gaps: cells that are the highest within a
  search ring and lie within that ring of a demand cell, thinned by a minimum spacing
  (highest first), optionally kept out of exclusion polygons;
* ``"user"``: the user's own list, read like a tower list (:func:`coverage.read_towers`).

Every frame returned has :data:`CANDIDATE_COLUMNS` and point geometry in the terrain's CRS.
A candidate outside the DEM is an error naming it (:func:`check_candidates_on_terrain`),
never silently dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage
from scipy.spatial import cKDTree

from coverage.errors import PlanningError, TerrainError
from coverage.i18n import message, term
from coverage.terrain import Terrain, check_points_on_terrain
from coverage.zonal import in_crs

__all__ = [
    "CANDIDATE_COLUMNS",
    "STRUCTURAL_CHECK_OPERATORS",
    "check_candidates_on_terrain",
    "colocation_candidates",
    "terrain_candidates",
    "user_candidates",
]

CANDIDATE_COLUMNS = (
    "site_id",
    "source",
    "kind",
    "host_operator",
    "host_site_id",
    "host_operators",
    "needs_structural_check",
    "antenna_height_m",
)
"""Columns of every candidate frame (plus ``geometry``). ``kind`` is ``"new"`` or
``"co-location"``; ``host_*`` are empty for new sites; ``antenna_height_m`` NaN means the
new-site default; ``host_operators`` is the comma-separated operators already on the mast."""

STRUCTURAL_CHECK_OPERATORS = 3
"""A mast carrying this many operators or more gets ``needs_structural_check``: one more
tenant's antennas and wind load need a structural assessment (industry practice for
shared towers)."""


def _frame(records: dict[str, Any], geometry: Any, crs: Any) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs=crs)
    return frame[[*CANDIDATE_COLUMNS, "geometry"]].reset_index(drop=True)


def colocation_candidates(
    towers: gpd.GeoDataFrame, terrain: Terrain, *, operators: Sequence[str]
) -> gpd.GeoDataFrame:
    """Co-location on every existing mast that lacks one of ``operators``.

    A mast is the set of tower rows at one exact position. Its host is the operator
    holding the tallest antenna there (ties: alphabetical), and the candidate stands at
    the mast's position at that antenna's height.

    Parameters
    ----------
    towers
        Existing towers (:func:`coverage.read_towers`), any CRS.
    terrain
        The working terrain: candidates come in its CRS.
    operators
        The operators the plan is for; a mast already carrying all of them is no candidate.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((10, 10)), transform=Affine(100, 0, 0, 0, -100, 1000),
    ...                        crs="EPSG:32648")
    >>> towers = gpd.GeoDataFrame({"site_id": ["V1", "M1", "V2"],
    ...     "operator": ["Viettel", "MobiFone", "Viettel"], "antenna_height_m": [40.0, 30, 35]},
    ...     geometry=gpd.points_from_xy([150, 150, 550], [150, 150, 550]), crs="EPSG:32648")
    >>> colocation_candidates(towers, t, operators=["MobiFone"])[
    ...     ["site_id", "host_site_id", "host_operators", "antenna_height_m"]].values.tolist()
    [['coloc-V2', 'V2', 'Viettel', 35.0]]
    """
    local = in_crs(towers, terrain.crs, what="towers")
    if local.empty:
        return _frame({c: [] for c in CANDIDATE_COLUMNS}, [], terrain.crs)
    xs, ys = local.geometry.x.to_numpy(), local.geometry.y.to_numpy()
    table = pd.DataFrame(
        {
            "x": xs,
            "y": ys,
            "site_id": local["site_id"].astype(str).to_numpy(),
            "operator": local["operator"].astype(str).to_numpy(),
            "height": local["antenna_height_m"].to_numpy(dtype=float),
        }
    )
    wanted = {str(op) for op in operators}
    rows: dict[str, list[Any]] = {c: [] for c in CANDIDATE_COLUMNS}
    points = []
    for (x, y), mast in table.groupby(["x", "y"], sort=True):
        present = sorted(set(mast["operator"]))
        if wanted <= set(present):
            continue
        host = mast.sort_values(["height", "operator"], ascending=[False, True]).iloc[0]
        rows["site_id"].append(f"coloc-{host.site_id}")
        rows["source"].append("co-location")
        rows["kind"].append("co-location")
        rows["host_operator"].append(host.operator)
        rows["host_site_id"].append(host.site_id)
        rows["host_operators"].append(", ".join(present))
        rows["needs_structural_check"].append(len(present) >= STRUCTURAL_CHECK_OPERATORS)
        rows["antenna_height_m"].append(float(host.height))
        points.append(shapely.Point(x, y))
    return _frame(rows, points, terrain.crs)


def terrain_candidates(
    terrain: Terrain,
    demand: np.ndarray,
    *,
    search_ring_m: float = 600.0,
    spacing_m: float = 1_000.0,
    max_candidates: int | None = None,
    exclusion: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """High points in and around the gaps, snapped, thinned and kept out of exclusions.

    A cell is a candidate when it is the highest within ``search_ring_m`` (a square
    window of that half-width) and within ``search_ring_m`` of a demand cell; candidates
    are then taken highest first, each dropping any other within ``spacing_m``.

    Parameters
    ----------
    terrain
        Elevation on the working grid.
    demand
        bool (rows, cols): cells with people left without signal.
    search_ring_m
        Half-width of the window a high point must top, and how far around the gaps to look.
    spacing_m
        Smallest distance between two candidates.
    max_candidates
        Keep at most this many (highest first).
    exclusion
        Polygons (any CRS) where no site may go (protected areas, military zones...).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`CANDIDATE_COLUMNS`, ``source="terrain"``, at cell centres; the number
        excluded is in ``attrs["excluded"]``.

    Examples
    --------
    >>> from affine import Affine
    >>> z = np.zeros((20, 20)); z[5, 5] = 100.0; z[15, 14] = 80.0
    >>> t = Terrain.from_array(z, transform=Affine(100, 0, 0, 0, -100, 2000), crs="EPSG:32648")
    >>> found = terrain_candidates(t, np.ones((20, 20), bool), search_ring_m=300, spacing_m=500)
    >>> found.geometry.x.tolist()[:2], found.geometry.y.tolist()[:2]
    ([550.0, 1450.0], [1450.0, 450.0])
    """
    if search_ring_m <= 0 or spacing_m < 0:
        raise PlanningError(message("errors.planning.candidates_ring_spacing"))
    demand = np.asarray(demand, dtype=bool)
    if demand.shape != terrain.shape:
        raise PlanningError(
            message(
                "errors.planning.candidates_demand_grid",
                demand_shape=demand.shape,
                terrain_shape=terrain.shape,
            )
        )
    ring = max(1, round(search_ring_m / terrain.resolution_m))
    elevation = np.where(np.isfinite(terrain.elevation_m), terrain.elevation_m, -np.inf)
    size = 2 * ring + 1
    peaks = (elevation == ndimage.maximum_filter(elevation, size=size, mode="nearest")) & (
        np.isfinite(terrain.elevation_m)
    )
    near = ndimage.maximum_filter(demand.astype(np.uint8), size=size, mode="constant") > 0
    rows, cols = np.nonzero(peaks & near)
    order = np.argsort(-elevation[rows, cols], kind="stable")
    rows, cols = rows[order], cols[order]
    xs, ys = terrain.xy(rows, cols)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    keep = _thinned(xs, ys, spacing_m)
    xs, ys = xs[keep], ys[keep]
    excluded = 0
    if exclusion is not None and len(exclusion) and len(xs):
        zones = in_crs(exclusion, terrain.crs, what=term("exclusion polygons"))
        union = shapely.union_all(np.asarray(zones.geometry.array))
        inside = shapely.intersects_xy(union, xs, ys)
        excluded = int(inside.sum())
        xs, ys = xs[~inside], ys[~inside]
    if max_candidates is not None:
        xs, ys = xs[:max_candidates], ys[:max_candidates]
    n = len(xs)
    frame = _frame(
        {
            "site_id": [f"new-{i + 1:05d}" for i in range(n)],
            "source": ["terrain"] * n,
            "kind": ["new"] * n,
            "host_operator": [None] * n,
            "host_site_id": [None] * n,
            "host_operators": [None] * n,
            "needs_structural_check": [False] * n,
            "antenna_height_m": np.full(n, np.nan),
        },
        gpd.points_from_xy(xs, ys),
        terrain.crs,
    )
    frame.attrs["excluded"] = excluded
    return frame


def _thinned(xs: np.ndarray, ys: np.ndarray, spacing_m: float) -> np.ndarray:
    """Positions kept when points, in priority order, each drop later ones within spacing."""
    if len(xs) == 0 or spacing_m <= 0:
        return np.arange(len(xs))
    tree = cKDTree(np.column_stack([xs, ys]))
    dropped = np.zeros(len(xs), dtype=bool)
    kept = []
    for i in range(len(xs)):
        if dropped[i]:
            continue
        kept.append(i)
        dropped[tree.query_ball_point((xs[i], ys[i]), spacing_m)] = True
    return np.asarray(kept, dtype=np.int64)


def user_candidates(
    source: gpd.GeoDataFrame | str | os.PathLike[str], terrain: Terrain
) -> gpd.GeoDataFrame:
    """The user's own candidate list: a tower-list file or frame, ``source="user"``.

    Read with :func:`coverage.read_towers` (CSV, XLSX, GeoJSON, GPKG; any header it
    knows); the antenna height given is kept, radio fields come from the plan.

    Raises
    ------
    TerrainError
        Naming every candidate outside the DEM (:func:`check_candidates_on_terrain`).
    """
    if isinstance(source, gpd.GeoDataFrame):
        frame = source
        name = message("errors.planning.candidate_list")
    else:
        import warnings

        from coverage.errors import DefaultsUsedWarning
        from coverage.io.towers import read_towers

        with warnings.catch_warnings():
            # operator and radio fields of a candidate list are the plan's: not worth a warning
            warnings.simplefilter("ignore", DefaultsUsedWarning)
            frame = read_towers(source)
        name = message("errors.planning.candidate_file", source=source)
    if "site_id" not in frame.columns:
        raise PlanningError(message("errors.planning.candidates_no_site_id", name=name))
    local = in_crs(frame, terrain.crs, what=name)
    height = local.get("antenna_height_m", pd.Series(np.nan, index=local.index))
    n = len(local)
    out = _frame(
        {
            "site_id": local["site_id"].astype(str).to_numpy(),
            "source": ["user"] * n,
            "kind": ["new"] * n,
            "host_operator": [None] * n,
            "host_site_id": [None] * n,
            "host_operators": [None] * n,
            "needs_structural_check": [False] * n,
            "antenna_height_m": height.to_numpy(dtype=float),
        },
        np.asarray(local.geometry.array),
        terrain.crs,
    )
    check_candidates_on_terrain(out, terrain, what=name)
    return out


def check_candidates_on_terrain(
    candidates: gpd.GeoDataFrame, terrain: Terrain, *, what: str = "candidates"
) -> np.ndarray:
    """Ground elevation (m) of every candidate, or :class:`TerrainError` naming those outside."""
    if candidates.empty:
        return np.zeros(0)
    local = in_crs(candidates, terrain.crs, what=what)
    try:
        return check_points_on_terrain(
            terrain,
            local.geometry.x.to_numpy(),
            local.geometry.y.to_numpy(),
            labels=list(local["site_id"]),
        )
    except TerrainError as exc:
        raise TerrainError(": ".join((term(what), str(exc)))) from exc
