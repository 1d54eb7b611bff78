"""The proposed-sites section's figures: a plan file written by ``phusong plan``, read back.

:func:`read_plan` reads the proposals (XLSX, CSV, GeoJSON or GeoPackage, as
:func:`coverage.io.proposals.write_proposals` writes them) and checks they are a plan.
:func:`plan_sites_table` gives one row per proposed site (a shared site carries several
operators: one row in the file per operator, one here), :func:`plan_totals` the people
newly covered per plan, both taken from the file as written. :func:`plan_by_commune`
computes what the file cannot say, the people newly covered in each commune, from the
proposed sites' predicted coverage on this report's grid, with this report's model.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.analysis import Analysis
from coverage.errors import SchemaError
from coverage.i18n import message
from coverage.io.files import existing_file
from coverage.io.proposals import PROPOSAL_SUFFIXES
from coverage.io.towers import read_towers
from coverage.model import predict
from coverage.report.runs import PREDICT_PARAMETERS
from coverage.zonal import communes_on_grid

log = logging.getLogger(__name__)

SHARED = "shared"
"""``plan`` of the shared (neutral-host) plan, whose sites carry every operator."""
PLAN_COLUMNS = ("plan", "rank", "site_id", "operator", "kind", "people_gained")
"""Columns a plan file must have (besides a position)."""


def read_plan(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """The proposals of a plan file, as a tower list with the planning columns.

    Raises a :class:`~coverage.errors.CoverageError` naming the file when it is missing,
    not a plan format, lacks a planning column or has a rank or people figure that is not
    a number.

    Examples
    --------
    >>> read_plan("sites.txt")
    Traceback (most recent call last):
    ...
    coverage.errors.SchemaError: sites.txt: a plan is read from .xlsx, .csv, .geojson, .json, .gpkg as written by `phusong plan --out` (--plan).
    """
    path = Path(path)
    if path.suffix.lower() not in PROPOSAL_SUFFIXES:
        raise SchemaError(
            message("errors.report.plan_suffix", path=path, suffixes=", ".join(PROPOSAL_SUFFIXES))
        )
    path = existing_file(path, what="plan")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proposals = read_towers(path)
    for warning in caught:  # radio defaults of a plan's own rows: worth a line in the log
        log.info(message("errors.report.log_plan_warning", path=path, warning=warning.message))
    missing = [name for name in PLAN_COLUMNS if name not in proposals.columns]
    if missing:
        raise SchemaError(
            message("errors.report.plan_columns", path=path, missing=", ".join(missing))
        )
    for name in ("rank", "people_gained", "cost"):
        if name not in proposals.columns:
            continue
        values = pd.to_numeric(proposals[name], errors="coerce")
        bad = proposals[name][values.isna() & proposals[name].notna()]
        if (name != "cost" and values.isna().any()) or len(bad):
            shown = bad.head(3).tolist() if len(bad) else ["(empty)"]
            raise SchemaError(
                message("errors.report.plan_not_number", path=path, name=repr(name), shown=shown)
            )
        proposals[name] = values
    return proposals


def plan_sites_table(proposals: pd.DataFrame) -> pd.DataFrame:
    """One row per proposed site, in plan and rank order, with the file's figures.

    Columns: ``plan``, ``rank``, ``site_id`` (the first of the site's rows),
    ``operators`` (every operator it carries), ``kind``, ``people_gained``, ``cost``
    (NaN when the file has none), ``communes_served``.

    Examples
    --------
    >>> rows = pd.DataFrame({"plan": ["shared"] * 2, "rank": [1, 1], "site_id": ["s-1-a", "s-1-b"],
    ...     "operator": ["A", "B"], "kind": ["new"] * 2, "people_gained": [120.0, 120.0]})
    >>> plan_sites_table(rows)[["operators", "people_gained"]].values.tolist()
    [['A, B', 120.0]]
    """
    frame = pd.DataFrame(proposals.drop(columns="geometry", errors="ignore"))
    for name in ("cost", "communes_served"):
        if name not in frame:
            frame[name] = math.nan if name == "cost" else ""
    frame["plan"] = frame["plan"].astype(str)
    grouped = frame.groupby(["plan", "rank"], sort=False)
    sites = grouped.agg(
        site_id=("site_id", "first"),
        operators=("operator", lambda ops: ", ".join(dict.fromkeys(map(str, ops)))),
        kind=("kind", "first"),
        people_gained=("people_gained", "first"),
        cost=("cost", "first"),
        communes_served=("communes_served", "first"),
    ).reset_index()
    sites["communes_served"] = sites["communes_served"].fillna("").astype(str)
    return sites.sort_values(["plan", "rank"], kind="stable").reset_index(drop=True)


def plan_totals(sites: pd.DataFrame) -> pd.DataFrame:
    """Per plan: sites, new sites, co-locations, people newly covered and cost (file's figures).

    Examples
    --------
    >>> sites = pd.DataFrame({"plan": ["Viettel", "Viettel"], "rank": [1, 2],
    ...     "kind": ["new", "co-location"], "people_gained": [300.0, 120.5], "cost": [1.0, 0.5]})
    >>> plan_totals(sites).loc["Viettel", ["sites", "new", "people_gained", "cost"]].tolist()
    [2.0, 1.0, 420.5, 1.5]
    """
    kind = sites["kind"].astype(str)
    return (
        sites.assign(new=kind.eq("new"), colocation=~kind.eq("new"))
        .groupby("plan", sort=True)
        .agg(
            sites=("rank", "size"),
            new=("new", "sum"),
            colocation=("colocation", "sum"),
            people_gained=("people_gained", "sum"),
            cost=("cost", lambda c: c.sum(min_count=1)),
        )
    )


def plan_by_commune(analysis: Analysis, proposals: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """People newly covered per commune and plan, predicted on this report's grid and model.

    For an operator's plan, newly covered means covered by one of its proposed sites and
    not by the operator today; for the shared plan, covered by a proposed site and by no
    operator today. Returns None when the analysis has no population, or was computed
    with a drive-test calibration (which the report cannot apply to new sites).

    Columns: ``plan``, ``name`` (commune), ``people`` (only communes with people gained).
    """
    result = analysis.result
    if analysis.population is None or result.parameters.get("calibration"):
        return None
    options = {
        k: result.parameters[k]
        for k in PREDICT_PARAMETERS
        if k in result.parameters and k != "calibration"  # refused above
    }
    thresholds = dict(
        zip(result.layers["technology"], result.layers["threshold_dbm"].astype(float), strict=True)
    )
    zones = communes_on_grid(analysis.communes, result.grid).fractions
    people = analysis.population.people
    today = result.operator_covered()
    names = analysis.communes["name"].astype(str).to_numpy()
    rows = []
    for plan, sites in proposals.groupby(proposals["plan"].astype(str), sort=True):
        added = predict(
            sites.reset_index(drop=True),
            analysis.terrain,
            model=result.model,
            thresholds_dbm={**thresholds},
            **options,
        )
        if plan == SHARED:
            new = added.covered_any & ~result.covered_any
        else:
            covered = added.operator_covered().get(plan, np.zeros(result.shape, bool))
            new = covered & ~today.get(plan, np.zeros(result.shape, bool))
        gained = zones.zone_sum(people * new)
        rows += [
            {"plan": plan, "name": name, "people": float(value)}
            for name, value in zip(names, gained, strict=True)
            if value > 0
        ]
    return pd.DataFrame(rows, columns=["plan", "name", "people"])
