"""Sharing in numbers: every operator's own plan against one shared plan.

For each operator, three figures on the same candidates and the same full-model matrix:
its own plan (sites, cost, people it gains), what the shared plan's sites give it (a
shared site carries every operator), and how many of its own sites it would need to reach
those same people alone (the greedy's prefix that first matches them). The ``all
operators separately`` row adds the operators up, the ``shared`` row is the one plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from coverage.planning.matrix import merge_rows
from coverage.planning.solvers import Selection, greedy_cover

__all__ = ["colocation_offers", "sharing_table"]

SHARED = "shared"


def sharing_table(
    selections: Mapping[str, Selection],
    found: gpd.GeoDataFrame,
    columns_of: Mapping[str, np.ndarray],
    matrix: sp.csc_array,
    demand: Mapping[str, np.ndarray],
    cells: np.ndarray,
    weight: np.ndarray,
) -> pd.DataFrame:
    """One row per operator's own plan, a total row, and the shared plan's row.

    Columns: ``plan``, ``sites``, ``cost``, ``people_gained`` (the plan's own objective),
    ``people_from_shared`` (people of that operator the shared sites reach),
    ``sites_to_match_shared`` and ``cost_to_match_shared`` (own sites needed to reach
    ``people_from_shared`` alone; NaN if its candidates cannot).
    """
    cost = found["cost"].to_numpy(dtype=float)
    shared = selections.get(SHARED)
    shared_columns = (
        columns_of[SHARED][shared.chosen] if shared is not None else np.zeros(0, np.int64)
    )
    reached = (
        np.asarray(matrix[:, shared_columns].sum(axis=1)).ravel() > 0
        if len(shared_columns)
        else np.zeros(len(cells), dtype=bool)
    )
    rows = []
    for name, pick in selections.items():
        if name == SHARED:
            continue
        columns = columns_of[name]
        own = demand[name][cells]
        from_shared = float(weight[cells][own & reached].sum())
        sites_needed, cost_needed = _to_match(
            matrix, own, weight[cells], columns, cost, from_shared
        )
        rows.append(
            {
                "plan": name,
                "sites": len(pick.chosen),
                "cost": float(cost[columns[pick.chosen]].sum()),
                "people_gained": pick.objective,
                "people_from_shared": from_shared,
                "sites_to_match_shared": sites_needed,
                "cost_to_match_shared": cost_needed,
            }
        )
    frame = pd.DataFrame(rows)
    if len(frame):
        total = frame.drop(columns="plan").sum(numeric_only=True, min_count=1)
        frame = pd.concat(
            [frame, pd.DataFrame([{"plan": "all operators separately", **total.to_dict()}])],
            ignore_index=True,
        )
    if shared is not None:
        frame = pd.concat(
            [
                frame,
                pd.DataFrame(
                    [
                        {
                            "plan": SHARED,
                            "sites": len(shared.chosen),
                            "cost": float(cost[shared_columns].sum()),
                            "people_gained": shared.objective,
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
    return frame


def _to_match(
    matrix: sp.csc_array,
    rows: np.ndarray,
    weight: np.ndarray,
    columns: np.ndarray,
    cost: np.ndarray,
    target: float,
) -> tuple[float, float]:
    """Sites (greedy order) and cost an operator alone needs to gain ``target`` people."""
    if target <= 0:
        return 0.0, 0.0
    merged, w, _ = merge_rows(matrix[rows][:, columns], weight[rows])
    if merged.shape[0] == 0:
        return math.nan, math.nan
    pick = greedy_cover(merged, w, sites=merged.shape[1])
    reached = np.cumsum(pick.gains) >= target * (1 - 1e-9)
    if not reached.any():
        return math.nan, math.nan
    k = int(np.argmax(reached)) + 1
    return float(k), float(cost[columns[pick.chosen[:k]]].sum())


def colocation_offers(
    found: gpd.GeoDataFrame,
    matrix: sp.csc_array,
    demand: Mapping[str, np.ndarray],
    cells: np.ndarray,
    weight: np.ndarray,
    operators: list[str],
) -> pd.DataFrame:
    """Each co-location candidate, for each guest operator not on the mast: people it adds."""
    rows = []
    hosts = found["host_operators"].fillna("").astype(str).str.split(", ")
    for guest in operators:
        if guest not in demand:
            continue
        people = np.where(demand[guest][cells], weight[cells], 0.0)
        gains = np.asarray(matrix.T @ people).ravel()
        for j in np.flatnonzero((found["kind"] == "co-location").to_numpy()):
            if guest in hosts.iloc[j]:
                continue
            rows.append(
                {
                    "guest_operator": guest,
                    "host_operator": found["host_operator"].iloc[j],
                    "host_site_id": found["host_site_id"].iloc[j],
                    "people_gained": float(gains[j]),
                    "cost": float(found["cost"].iloc[j]),
                    "needs_structural_check": bool(found["needs_structural_check"].iloc[j]),
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=["guest_operator", "host_operator", "host_site_id", "people_gained", "cost",
                 "needs_structural_check"],
    )  # fmt: skip
    frame = frame.sort_values(["guest_operator", "people_gained"], ascending=[True, False])
    frame["rank_for_guest"] = frame.groupby("guest_operator").cumcount() + 1
    frame["rank_for_host"] = (
        frame.groupby("host_operator")["people_gained"].rank(ascending=False, method="first")
    ).astype("int64")
    return frame.reset_index(drop=True)
