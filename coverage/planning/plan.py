"""The whole planning job: :func:`plan_sites` and its result, :class:`SitePlan`.

Existing towers are locked in: the people they cover count as covered, and only the people
left without signal (per operator, or without any operator for a shared plan) are demand.
Candidates come from :mod:`coverage.planning.candidates`, their coverage from the real
propagation model (:mod:`coverage.planning.matrix`), the choice from
:mod:`coverage.planning.solvers`. Every number reported comes from the full model.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from coverage.analysis import PopulationInput, population_grid
from coverage.crs import WGS84
from coverage.errors import PlanningError
from coverage.gaps import slug
from coverage.i18n import message
from coverage.model import CoverageResult, predict
from coverage.names import seed_communes_in
from coverage.operators import OMNI_BEAMWIDTH_DEG, radio_defaults
from coverage.planning.backhaul import BACKHAUL_COLUMNS, DEFAULT_MAX_HOP_M
from coverage.planning.candidates import (
    CANDIDATE_COLUMNS,
    check_candidates_on_terrain,
    colocation_candidates,
    terrain_candidates,
    user_candidates,
)
from coverage.planning.costs import DEFAULT_COSTS, CostTable
from coverage.planning.links import (
    FibreInput,
    fibre_frame,
    linked_candidates,
    plan_links,
    with_links,
)
from coverage.planning.matrix import (
    candidate_coverage,
    coarse_cells,
    coarse_terrain,
    merge_rows,
)
from coverage.planning.solvers import Selection, exact_cover, greedy_cover
from coverage.settings import RADIUS_M
from coverage.terrain import Terrain
from coverage.zonal import CommunesOnGrid, communes_on_grid

log = logging.getLogger(__name__)

__all__ = ["PROPOSAL_COLUMNS", "SHARED", "SitePlan", "plan_sites"]

SHARED = "shared"
"""Name of the one shared (neutral-host) plan: its sites carry every operator."""

PROPOSAL_COLUMNS = (
    "plan", "rank", "site_id", "operator", "operators_served", "lon", "lat", "ground_m",
    "antenna_height_m", "technology", "frequency_mhz", "eirp_dbm", "azimuth_deg",
    "beamwidth_deg", "tilt_deg", "kind", "source", "candidate_id", "host_operator",
    "host_site_id", "needs_structural_check", "people_gained", "cumulative_people",
    "communes_served", "communes_of_interest_served", "of_interest", "cost",
    "cumulative_cost", *BACKHAUL_COLUMNS,
)  # fmt: skip
"""Columns of :attr:`SitePlan.proposals` (documented in :mod:`coverage.io.proposals`)."""


@dataclass(frozen=True, eq=False)
class SitePlan:
    """A site plan: ranked proposals, the solvers' quality statements, sharing in numbers.

    Attributes
    ----------
    proposals
        One row per proposed site and operator it carries (:data:`PROPOSAL_COLUMNS`),
        EPSG:4326 points, ranked within each ``plan``. The rows of one plan are a tower
        list: appended to the tower file, they apply the plan.
    selections
        The solver's :class:`~coverage.planning.solvers.Selection` per plan.
    sharing
        Per-operator plans against the shared plan (sites, cost, people), when every
        operator was planned; else None.
    colocation_offers
        Co-location candidates ranked by the people each would add for each guest operator.
    candidates
        Every candidate considered (source, kind, host...), working CRS.
    notes
        Why a plan is empty or smaller than asked, shortlisting, candidates counted.
    """

    proposals: gpd.GeoDataFrame
    selections: dict[str, Selection]
    sharing: pd.DataFrame | None
    colocation_offers: pd.DataFrame
    candidates: gpd.GeoDataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def statements(self) -> dict[str, str]:
        """The quality statement of each plan's solver, by plan."""
        return {name: pick.statement() for name, pick in self.selections.items()}

    def towers(self, plan: str) -> gpd.GeoDataFrame:
        """The proposals of one plan as a tower list (to append to the existing towers)."""
        return self.proposals[self.proposals["plan"] == plan].reset_index(drop=True)


def _new_site_radio(
    technology: str,
    antenna_height_m: float | None,
    frequency_mhz: float | None,
    eirp_dbm: float | None,
) -> dict[str, Any]:
    table = radio_defaults()
    if technology not in table:
        raise PlanningError(
            message(
                "errors.planning.unknown_technology",
                technology=repr(technology),
                known=sorted(table),
            )
        )
    base = table[technology]
    return {
        "technology": technology,
        "frequency_mhz": float(frequency_mhz if frequency_mhz is not None else base.frequency_mhz),
        "eirp_dbm": float(eirp_dbm if eirp_dbm is not None else base.eirp_dbm),
        "antenna_height_m": float(
            antenna_height_m if antenna_height_m is not None else base.antenna_height_m
        ),
        "azimuth_deg": math.nan,
        "beamwidth_deg": OMNI_BEAMWIDTH_DEG,
        "tilt_deg": float(base.tilt_deg),
    }


def _people_per_cell(people: np.ndarray, on_grid: CommunesOnGrid) -> np.ndarray:
    """People of each cell counted in the communes, as :func:`commune_coverage` counts them."""
    fractions = on_grid.fractions
    share = np.bincount(fractions.cell, weights=fractions.fraction, minlength=people.size)
    return people.reshape(-1) * share


def _empty_plan(candidates: gpd.GeoDataFrame | None, notes: list[str]) -> SitePlan:
    for note in notes:
        log.warning(note)
    frame = gpd.GeoDataFrame({c: [] for c in PROPOSAL_COLUMNS}, geometry=[], crs=WGS84)
    empty = candidates if candidates is not None else gpd.GeoDataFrame(geometry=[])
    return SitePlan(frame, {}, None, pd.DataFrame(), empty, notes)


def plan_sites(
    communes: gpd.GeoDataFrame,
    towers: gpd.GeoDataFrame,
    terrain: Terrain,
    *,
    population: PopulationInput = None,
    population_column: str | None = None,
    operator: str | None = None,
    shared: bool = False,
    sites: int | None = None,
    budget: float | None = None,
    costs: CostTable | None = None,
    candidates: gpd.GeoDataFrame | str | os.PathLike[str] | None = None,
    locked: Sequence[str] = (),
    colocation: bool = True,
    terrain_search: bool = True,
    search_ring_m: float = 600.0,
    spacing_m: float = 1_000.0,
    max_terrain_candidates: int | None = None,
    exclusion: gpd.GeoDataFrame | None = None,
    solver: str = "greedy",
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 0.01,
    technology: str = "4G",
    antenna_height_m: float | None = None,
    frequency_mhz: float | None = None,
    eirp_dbm: float | None = None,
    shortlist_above: int = 400,
    shortlist_factor: int = 3,
    progress: Callable[[int], None] | None = None,
    backhaul: bool = True,
    require_backhaul: bool = False,
    fibre: FibreInput = None,
    max_hop_m: float = DEFAULT_MAX_HOP_M,
    existing_coverage: CoverageResult | None = None,
    **predict_options: Any,
) -> SitePlan:
    """Which new or shared sites cover the most people still without signal.

    Parameters
    ----------
    communes, towers, terrain
        As :func:`coverage.analyse`: the existing towers are locked in.
    population, population_column
        People (a raster or :class:`~coverage.population.PopulationGrid`, or a commune
        column spread by area); required: the plan counts people.
    operator
        Plan for this operator alone (its uncovered people are the demand).
    shared
        One shared (neutral-host) plan: its sites carry every operator, the demand is the
        people no operator covers.
    sites, budget
        At most this many sites and/or this much money (``costs``); 0 gives an empty plan.
    costs
        Cost table (default :data:`~coverage.planning.costs.DEFAULT_COSTS`).
    candidates
        The user's candidate list (file or frame, read like a tower list).
    locked
        Candidate site ids that must be in the plan (already decided).
    colocation, terrain_search
        Use the co-location and terrain candidate sources.
    search_ring_m, spacing_m, max_terrain_candidates, exclusion
        Terrain candidates (:func:`~coverage.planning.candidates.terrain_candidates`).
    solver
        ``"greedy"`` (CELF with its bound) or ``"ilp"`` (HiGHS, ``time_limit_s``,
        ``mip_rel_gap``).
    technology, antenna_height_m, frequency_mhz, eirp_dbm
        New sites' radio; unset fields take :data:`coverage.operators.RADIO_DEFAULTS` of the
        technology. Co-locations stand at their host's antenna height.
    shortlist_above, shortlist_factor
        With more candidates than ``shortlist_above``, shortlist them on a grid
        ``shortlist_factor`` times coarser first; the shortlist then runs the full model.
    progress
        Called with the number of candidates run through the full model.
    backhaul
        Add each proposed site's best microwave link (:mod:`coverage.planning.links`):
        to the plan operator's existing masts (any mast in a shared plan) or to ``fibre``.
    require_backhaul
        Remove, before solving, the candidates with no passing link (direct or through one
        relay); :attr:`SitePlan.notes` counts them per plan.
    fibre
        Fibre points (file or :func:`~coverage.io.fibre.read_fibre_points` frame).
    max_hop_m
        Longest microwave hop, m.
    existing_coverage
        The existing towers' coverage when already computed on ``terrain`` with the same
        ``predict_options`` (e.g. ``coverage.analyse(...).result``): not computed again.
    **predict_options
        :func:`coverage.model.predict` options (``model``, ``radius_m``, ``thresholds_dbm``...),
        used for the existing towers and the candidates alike.

    Without ``operator`` and ``shared``, every operator is planned separately and a shared
    plan too, with the comparison in :attr:`SitePlan.sharing`.

    Returns
    -------
    SitePlan
    """
    if operator is not None and shared:
        raise PlanningError(message("errors.planning.operator_and_shared"))
    if solver not in ("greedy", "ilp"):
        raise PlanningError(message("errors.planning.unknown_solver", solver=repr(solver)))
    if sites is None and budget is None:
        raise PlanningError(message("errors.planning.no_size"))
    if (sites is not None and sites < 0) or (budget is not None and budget < 0):
        raise PlanningError(message("errors.planning.negative_size"))
    if sites == 0 or budget == 0:
        return _empty_plan(None, [message("errors.planning.note_zero_budget")])
    costs = costs or DEFAULT_COSTS
    candidate_options = dict(predict_options)
    if predict_options.get("calibration") is not None:
        if operator is None:
            raise PlanningError(message("errors.planning.calibration_one_operator"))
        candidate_options["operator"] = str(operator)
    radio = _new_site_radio(technology, antenna_height_m, frequency_mhz, eirp_dbm)

    result = (
        predict(towers, terrain, **predict_options)
        if existing_coverage is None
        else _checked_existing(existing_coverage, terrain, predict_options)
    )
    on_grid = communes_on_grid(communes, result.grid)
    people_grid = population_grid(population, on_grid, communes, population_column)
    if people_grid is None:
        raise PlanningError(message("errors.planning.no_population"))
    weight = _people_per_cell(people_grid.people, on_grid)
    existing = sorted(set(result.layers["operator"].astype(str)))
    per_operator = result.operator_covered()
    if operator is not None:
        plans = [str(operator)]
    elif shared:
        plans = [SHARED]
    else:
        if not existing:
            raise PlanningError(message("errors.planning.no_operator"))
        plans = [*existing, SHARED]
    serves = {p: (existing if p == SHARED else [p]) for p in plans}
    if not serves[plans[0]]:
        raise PlanningError(message("errors.planning.shared_no_operators"))
    demand = {}
    for name in plans:
        covered = result.covered_any if name == SHARED else per_operator.get(name)
        uncovered = np.ones(result.shape, bool) if covered is None else ~covered
        demand[name] = uncovered.reshape(-1) & (weight > 0)
    union = np.logical_or.reduce(list(demand.values()))
    if not union.any():
        return _empty_plan(None, [message("errors.planning.note_nothing_left")])

    found = _candidates(
        towers, terrain, union.reshape(result.shape), candidates,
        operators=sorted({op for p in plans for op in serves[p]}), colocation=colocation,
        terrain_search=terrain_search, search_ring_m=search_ring_m, spacing_m=spacing_m,
        max_terrain_candidates=max_terrain_candidates, exclusion=exclusion, radio=radio,
    )  # fmt: skip
    notes = [
        message("errors.planning.note_candidates", count=len(found), kinds=_counts(found["source"]))
    ]
    if found.empty:
        raise PlanningError(message("errors.planning.no_candidates"))
    missing_locked = sorted(set(locked) - set(found["site_id"]))
    if missing_locked:
        raise PlanningError(
            message("errors.planning.locked_not_candidates", missing_locked=missing_locked)
        )
    found["cost"] = [costs.cost_of(k) for k in found["kind"]]
    fibre = fibre_frame(fibre)
    backhaul = backhaul or require_backhaul
    link_for = {p: (None if p == SHARED else p) for p in plans}
    links: dict[str, pd.DataFrame] = {}
    if require_backhaul:
        found, links = linked_candidates(
            found, link_for, terrain, masts=towers, fibre=fibre, max_hop_m=max_hop_m,
            locked=list(locked), notes=notes,
        )  # fmt: skip
        if found.empty:
            return _empty_plan(found, [*notes, message("errors.planning.note_no_link")])
    elif backhaul and not len(towers) and (fibre is None or not len(fibre)):
        notes.append(message("errors.planning.note_backhaul_skipped"))
        backhaul = False
    cells = np.flatnonzero(union)
    n_sites = sites if sites is not None else len(found)
    if len(found) > shortlist_above:
        found = _shortlist(
            found, terrain, weight * union, cells, n_sites, budget, shortlist_factor,
            locked, candidate_options, notes,
        )  # fmt: skip
    full = candidate_coverage(found, terrain, cells, progress=progress, **candidate_options)
    columns_of = {p: _eligible(found, serves[p], p == SHARED) for p in plans}
    if links:
        ids = found["site_id"].astype(str)
        columns_of = {
            p: c[links[p]["backhaul_ok"].reindex(ids).to_numpy(dtype=bool)[c]]
            for p, c in columns_of.items()
        }
    selections: dict[str, Selection] = {}
    frames = []
    zones = _cell_zones(on_grid, result.grid.shape)
    names = (
        on_grid.communes["name"].astype(str).to_numpy()
        if "name" in on_grid.communes
        else np.asarray([str(i) for i in on_grid.communes.index])
    )
    for name in plans:
        rows = demand[name][cells]
        columns = columns_of[name]
        if not len(columns):
            notes.append(message("errors.planning.note_none_serves", plan=name))
            continue
        sub = full.matrix[rows][:, columns]
        merged, w, _ = merge_rows(sub, weight[cells][rows])
        lock = [int(np.flatnonzero(found["site_id"].to_numpy()[columns] == s)[0]) for s in locked
                if s in set(found["site_id"].to_numpy()[columns])]  # fmt: skip
        cost = found["cost"].to_numpy()[columns]
        solve = greedy_cover if solver == "greedy" else exact_cover
        options: dict[str, Any] = {"sites": sites, "budget": budget, "locked": lock}
        if budget is not None:
            options["costs"] = cost
        if solver == "ilp":
            options |= {"time_limit_s": time_limit_s, "mip_rel_gap": mip_rel_gap}
        pick = solve(merged, w, **options)
        selections[name] = pick
        if pick.objective <= 0 and not len(pick.chosen):
            notes.append(message("errors.planning.note_none_covers", plan=name))
        chosen = columns[pick.chosen]
        if backhaul and name not in links and len(chosen):
            links[name] = plan_links(
                found.iloc[chosen], terrain, operator=link_for[name], masts=towers,
                fibre=fibre, max_hop_m=max_hop_m,
            )  # fmt: skip
        picked = _proposal_rows(
                name,
                serves[name],
                found.iloc[chosen],
                pick.gains,
                _served(sub.tocsc()[:, pick.chosen], cells[rows], zones, names),
                terrain,
            )  # fmt: skip
        frames.append(with_links(picked, links.get(name) if backhaul else None))
    proposals = (
        pd.concat(frames, ignore_index=True) if frames else _empty_plan(found, notes).proposals
    )
    proposals = gpd.GeoDataFrame(proposals, geometry="geometry", crs=WGS84)
    from coverage.planning.sharing import colocation_offers, sharing_table

    offers = colocation_offers(found, full.matrix, demand, cells, weight, existing)

    sharing = (
        sharing_table(selections, found, columns_of, full.matrix, demand, cells, weight)
        if SHARED in plans and len(plans) > 1
        else None
    )
    for note in notes:
        log.info(note)
    return SitePlan(proposals, selections, sharing, offers, found, notes)


def _counts(values: pd.Series) -> str:
    counts = values.value_counts()
    return ", ".join(f"{int(n)} {k}" for k, n in counts.items()) or message(
        "errors.planning.note_none"
    )


def _candidates(
    towers: gpd.GeoDataFrame,
    terrain: Terrain,
    demand: np.ndarray,
    user: gpd.GeoDataFrame | str | os.PathLike[str] | None,
    *,
    operators: list[str],
    colocation: bool,
    terrain_search: bool,
    search_ring_m: float,
    spacing_m: float,
    max_terrain_candidates: int | None,
    exclusion: gpd.GeoDataFrame | None,
    radio: Mapping[str, Any],
) -> gpd.GeoDataFrame:
    parts = []
    if colocation and len(towers):
        parts.append(colocation_candidates(towers, terrain, operators=operators))
    if terrain_search:
        parts.append(
            terrain_candidates(
                terrain,
                demand,
                search_ring_m=search_ring_m,
                spacing_m=spacing_m,
                max_candidates=max_terrain_candidates,
                exclusion=exclusion,
            )  # fmt: skip
        )
    if user is not None:
        parts.append(user_candidates(user, terrain))
    parts = [p for p in parts if len(p)]
    if not parts:
        return gpd.GeoDataFrame({c: [] for c in CANDIDATE_COLUMNS}, geometry=[], crs=terrain.crs)
    found = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=terrain.crs)
    duplicated = found["site_id"].duplicated()
    if duplicated.any():
        raise PlanningError(
            message(
                "errors.planning.candidate_ids_repeat",
                repeated=sorted(set(found["site_id"][duplicated]))[:10],
            )
        )
    found["ground_m"] = check_candidates_on_terrain(found, terrain)
    height = found["antenna_height_m"].to_numpy(dtype=float)
    for key, value in radio.items():
        found[key] = value
    found["antenna_height_m"] = np.where(np.isfinite(height), height, radio["antenna_height_m"])
    return found


def _shortlist(
    found: gpd.GeoDataFrame,
    terrain: Terrain,
    weight: np.ndarray,
    cells: np.ndarray,
    n_sites: int,
    budget: float | None,
    factor: int,
    locked: Sequence[str],
    predict_options: Mapping[str, Any],
    notes: list[str],
) -> gpd.GeoDataFrame:
    """The candidates worth the full model: the coarse grid's greedy picks and best singles."""
    coarse = coarse_terrain(terrain, factor)
    index = coarse_cells(terrain.shape, factor)
    coarse_weight = np.bincount(
        index[cells], weights=weight[cells], minlength=int(np.prod(coarse.shape))
    )
    coarse_demand = np.flatnonzero(coarse_weight > 0)
    options = {k: v for k, v in predict_options.items() if k != "itm"}
    quick = candidate_coverage(found, coarse, coarse_demand, **options)
    size = max(5 * min(n_sites, len(found)), 200)
    merged, w, _ = merge_rows(quick.matrix, coarse_weight[coarse_demand])
    picks = greedy_cover(merged, w, sites=min(size, merged.shape[1])).chosen
    singles = np.argsort(-np.asarray(merged.T @ w).ravel(), kind="stable")
    keep = list(dict.fromkeys([*picks.tolist(), *singles.tolist()]))[:size]
    # locked sites and every co-location (few: one per mast) always run the full model
    forced = found["site_id"].isin(list(locked)) | (found["kind"] == "co-location")
    keep += [i for i in np.flatnonzero(forced.to_numpy()) if i not in keep]
    notes.append(
        message("errors.planning.note_shortlist", kept=len(keep), count=len(found), factor=factor)
    )
    return found.iloc[sorted(keep)].reset_index(drop=True)


def _eligible(found: gpd.GeoDataFrame, operators: list[str], shared: bool) -> np.ndarray:
    """Candidate positions a plan may use: no co-location on a mast already carrying it."""
    hosts = found["host_operators"].fillna("").astype(str).str.split(", ")
    ok = [
        kind == "new" or (not set(operators) <= set(on) if shared else operators[0] not in on)
        for kind, on in zip(found["kind"], hosts, strict=True)
    ]
    return np.flatnonzero(ok)


def _cell_zones(on_grid: CommunesOnGrid, shape: tuple[int, int]) -> sp.csr_array:
    fractions = on_grid.fractions
    return sp.csr_array(
        (np.ones(len(fractions.cell)), (fractions.cell, fractions.zone)),
        shape=(shape[0] * shape[1], fractions.n_zones),
    )


def _served(
    matrix: sp.csc_array, cells: np.ndarray, zones: sp.csr_array, names: np.ndarray
) -> list[list[str]]:
    """Communes where each chosen site (in order) brings signal to new people."""
    done = np.zeros(matrix.shape[0], dtype=bool)
    out = []
    for j in range(matrix.shape[1]):
        rows = matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]]
        new = rows[~done[rows]]
        done[rows] = True
        hit = np.unique(zones[cells[new]].indices) if len(new) else np.zeros(0, int)
        out.append(sorted({str(names[z]) for z in hit}))
    return out


def _proposal_rows(
    name: str,
    operators: list[str],
    chosen: gpd.GeoDataFrame,
    gains: np.ndarray,
    served: list[list[str]],
    terrain: Terrain,
) -> gpd.GeoDataFrame:
    points = chosen.to_crs(WGS84)
    key = SHARED if name == SHARED else slug(name)
    rows = []
    cumulative_people = np.cumsum(gains)
    cumulative_cost = np.cumsum(chosen["cost"].to_numpy(dtype=float))
    for rank, (site, point) in enumerate(
        zip(chosen.itertuples(index=False), points.geometry, strict=True), start=1
    ):
        interest = seed_communes_in(served[rank - 1])
        on_mast = set(str(site.host_operators or "").split(", "))
        carried = [op for op in operators if op not in on_mast] if site.kind != "new" else operators
        for op in carried:
            site_id = f"{key}-{rank:03d}" + (f"-{slug(op)}" if name == SHARED else "")
            rows.append(
                {
                    "plan": name,
                    "rank": rank,
                    "site_id": site_id,
                    "operator": op,
                    "operators_served": ", ".join(carried),
                    "lon": point.x,
                    "lat": point.y,
                    "ground_m": float(site.ground_m),
                    "antenna_height_m": float(site.antenna_height_m),
                    "technology": site.technology,
                    "frequency_mhz": float(site.frequency_mhz),
                    "eirp_dbm": float(site.eirp_dbm),
                    "azimuth_deg": float(site.azimuth_deg),
                    "beamwidth_deg": float(site.beamwidth_deg),
                    "tilt_deg": float(site.tilt_deg),
                    "kind": site.kind,
                    "source": site.source,
                    "candidate_id": site.site_id,
                    "host_operator": site.host_operator,
                    "host_site_id": site.host_site_id,
                    "needs_structural_check": bool(site.needs_structural_check),
                    "people_gained": float(gains[rank - 1]),
                    "cumulative_people": float(cumulative_people[rank - 1]),
                    "communes_served": ", ".join(served[rank - 1]),
                    "communes_of_interest_served": ", ".join(interest),
                    "of_interest": bool(interest),
                    "cost": float(site.cost),
                    "cumulative_cost": float(cumulative_cost[rank - 1]),
                    "geometry": point,
                }  # fmt: skip
            )
    return gpd.GeoDataFrame(rows, columns=[*PROPOSAL_COLUMNS, "geometry"], crs=WGS84)


def _checked_existing(
    existing: CoverageResult, terrain: Terrain, predict_options: Mapping[str, Any]
) -> CoverageResult:
    """``existing`` when it was computed on ``terrain`` with ``predict_options``; else an error."""
    expected = {"model": "diffraction", "radius_m": RADIUS_M, **predict_options}
    differs = [
        key
        for key in ("model", "radius_m")
        if existing.parameters.get(key, existing.model if key == "model" else None) != expected[key]
    ]
    if not existing.grid.aligned_with(terrain.grid) or existing.grid.shape != terrain.shape:
        differs.append("grid")
    if differs:
        raise PlanningError(
            message("errors.planning.existing_coverage_differs", differs=", ".join(differs))
        )
    return existing
