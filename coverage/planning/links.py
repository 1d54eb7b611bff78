"""Backhaul inside a site plan: each candidate's best link, for each plan it may serve.

:func:`plan_links` runs :func:`coverage.planning.backhaul.backhaul_links` on candidate
sites for one plan: an operator's plan links to that operator's existing masts, a shared
plan to any mast, and every plan to the user's fibre points. :func:`plan_sites
<coverage.planning.plan.plan_sites>` uses it twice: with ``require_backhaul`` to remove,
before solving, the candidates with no passing link (direct or one relay hop), and to
add the backhaul columns (:data:`~coverage.planning.backhaul.BACKHAUL_COLUMNS`) to the
proposals.
"""

from __future__ import annotations

import os
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.errors import PlanningError
from coverage.i18n import message
from coverage.io.fibre import read_fibre_points
from coverage.planning.backhaul import BACKHAUL_COLUMNS, backhaul_links
from coverage.terrain import Terrain

__all__ = ["FibreInput", "fibre_frame", "no_links", "plan_links"]

FibreInput: TypeAlias = gpd.GeoDataFrame | str | os.PathLike[str] | None
"""Fibre points: a frame (:func:`coverage.io.fibre.read_fibre_points`), a file, or None."""


def fibre_frame(fibre: FibreInput) -> gpd.GeoDataFrame | None:
    """Fibre points as a frame (a path is read with :func:`read_fibre_points`)."""
    if fibre is None or isinstance(fibre, gpd.GeoDataFrame):
        return fibre
    return read_fibre_points(fibre)


def no_links(ids: pd.Index) -> pd.DataFrame:
    """The backhaul columns for sites whose backhaul was not computed: empty (None, NaN)."""
    frame = pd.DataFrame(index=ids)
    for column in BACKHAUL_COLUMNS:
        frame[column] = None if column in _OBJECT_COLUMNS else np.nan
    frame["backhaul_hops"] = pd.array([pd.NA] * len(ids), dtype="Int64")
    frame["backhaul_ok"] = pd.array([pd.NA] * len(ids), dtype="boolean")
    return frame


_OBJECT_COLUMNS = ("backhaul_partner", "backhaul_partner_kind")


def plan_links(
    sites: gpd.GeoDataFrame,
    terrain: Terrain,
    *,
    operator: str | None,
    masts: gpd.GeoDataFrame,
    fibre: gpd.GeoDataFrame | None,
    max_hop_m: float,
) -> pd.DataFrame:
    """The best backhaul link of each candidate site for one plan, indexed by ``site_id``.

    Parameters
    ----------
    sites
        Candidates (``site_id``, ``antenna_height_m``, points).
    terrain
        Elevation covering the sites, masts and fibre points.
    operator
        The plan's operator (links only to its own masts and fibre); None for a shared
        plan (any mast).
    masts, fibre
        Existing towers (a tower list) and fibre points (or None).
    max_hop_m
        Longest hop, m.

    Returns
    -------
    pandas.DataFrame
        :data:`~coverage.planning.backhaul.BACKHAUL_COLUMNS`, one row per site id.

    Raises
    ------
    PlanningError
        Neither masts nor fibre points to link to.

    Examples
    --------
    >>> from affine import Affine
    >>> from shapely.geometry import Point
    >>> terrain = Terrain.from_array(np.full((100, 100), 500.0), crs="EPSG:32648",
    ...     transform=Affine(100, 0, 400_000, 0, -100, 2_510_000))
    >>> sites = gpd.GeoDataFrame({"site_id": ["T-1"], "antenna_height_m": [30.0]},
    ...     geometry=[Point(402_000, 2_505_000)], crs=terrain.crs)
    >>> masts = gpd.GeoDataFrame({"site_id": ["VT-9"], "operator": ["Viettel"],
    ...     "antenna_height_m": [40.0]}, geometry=[Point(408_000, 2_505_000)], crs=terrain.crs)
    >>> links = plan_links(sites, terrain, operator="Viettel", masts=masts, fibre=None,
    ...     max_hop_m=30_000)
    >>> row = links.loc["T-1"]
    >>> row.backhaul_partner, float(row.backhaul_distance_km), bool(row.backhaul_ok)
    ('VT-9', 6.0, True)
    """
    ids = pd.Index(sites["site_id"].astype(str), name="site_id")
    if not len(masts) and (fibre is None or not len(fibre)):
        raise PlanningError(message("errors.planning.links_no_partner"))
    frame = gpd.GeoDataFrame(
        {"site_id": ids.to_numpy(), "antenna_height_m": sites["antenna_height_m"].to_numpy()},
        geometry=sites.geometry.to_numpy(),
        crs=sites.crs,
    )
    if operator is not None:
        frame["operator"] = operator
    links = backhaul_links(
        frame,
        terrain,
        masts=masts if len(masts) else None,
        fibre=fibre,
        shared=operator is None,
        max_hop_m=max_hop_m,
    )
    links.index = ids
    return links


def linked_candidates(
    found: gpd.GeoDataFrame,
    plans: dict[str, str | None],
    terrain: Terrain,
    *,
    masts: gpd.GeoDataFrame,
    fibre: gpd.GeoDataFrame | None,
    max_hop_m: float,
    locked: list[str],
    notes: list[str],
) -> tuple[gpd.GeoDataFrame, dict[str, pd.DataFrame]]:
    """Candidates with a passing backhaul link for at least one plan, and every link.

    ``plans`` maps each plan's name to its operator (None for a shared plan). Each plan's
    count of removed candidates goes to ``notes``; a locked candidate with no passing link
    is an error (it cannot be both built and required to link).
    """
    links = {
        name: plan_links(
            found, terrain, operator=operator, masts=masts, fibre=fibre, max_hop_m=max_hop_m
        )
        for name, operator in plans.items()
    }
    ok = np.zeros(len(found), dtype=bool)
    for name, table in links.items():
        passing = table["backhaul_ok"].to_numpy(dtype=bool)
        ok |= passing
        notes.append(
            message(
                "errors.planning.note_backhaul_removed",
                plan=name,
                removed=int((~passing).sum()),
                count=len(passing),
                hop_km=f"{max_hop_m / 1000:g}",
            )
        )
    unlinked = sorted(set(locked) & set(found["site_id"].astype(str)[~ok]))
    if unlinked:
        raise PlanningError(message("errors.planning.links_locked_unlinked", unlinked=unlinked))
    return found[ok].reset_index(drop=True), links


def with_links(rows: pd.DataFrame, links: pd.DataFrame | None) -> pd.DataFrame:
    """Proposal rows with the backhaul columns of their candidate (empty without links)."""
    ids = pd.Index(rows["candidate_id"].astype(str))
    table = no_links(ids) if links is None else links.loc[ids]
    rows = rows.copy()
    for column in BACKHAUL_COLUMNS:
        rows[column] = table[column].to_numpy()
    return rows
