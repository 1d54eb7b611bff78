"""What each gap piece is told by: where it is, its highest ground, old commune, nearest sites."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.crs import WGS84, transform_xy
from coverage.gaps.masks import slug
from coverage.grid import Grid
from coverage.zonal import in_crs

# --------------------------------------------------------------- labels of the kept pieces


def locate(
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


def label_previous(frame: gpd.GeoDataFrame, previous: gpd.GeoDataFrame, crs: Any) -> None:
    """Add previous_commune_id / _name: the pre-2025 commune each piece (in ``crs``) overlaps most."""
    previous_w = in_crs(previous, crs, what="previous communes")
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


def nearest_sites(frame: gpd.GeoDataFrame, towers: gpd.GeoDataFrame | None, crs: Any) -> None:
    """Add nearest_site_<op> and nearest_site_km_<op> for every operator with sites."""
    if towers is None or len(towers) == 0 or "operator" not in towers.columns:
        return
    towers = towers if towers.crs is None or towers.crs == crs else towers.to_crs(crs)
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
