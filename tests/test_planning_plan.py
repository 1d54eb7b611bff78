"""plan_sites end to end on synthetic terrain: before/after, co-location, bad input."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from shapely.geometry import box

from coverage.analysis import analyse
from coverage.errors import DefaultsUsedWarning, PlanningError, TerrainError
from coverage.io.proposals import write_proposals
from coverage.io.towers import read_towers
from coverage.planning.costs import read_cost_table
from coverage.planning.plan import plan_sites
from coverage.terrain import Terrain

CRS = "EPSG:32648"

# a small synthetic DEM: radii reach its edge, and people come from a commune column
pytestmark = [
    pytest.mark.filterwarnings("ignore::coverage.errors.DemEdgeWarning"),
    pytest.mark.filterwarnings("ignore::coverage.errors.CruderMethodWarning"),
]
OPTIONS = {"radius_m": 2_500.0, "population_column": "people"}


@pytest.fixture
def terrain() -> Terrain:
    rows, cols = np.mgrid[0:80, 0:80]
    hills = 300 + 120 * np.sin(rows / 9.0) * np.cos(cols / 11.0)
    return Terrain.from_array(hills, transform=Affine(100, 0, 400_000, 0, -100, 2_508_000), crs=CRS)


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Y Tý", "Sa Pa"], "people": [4_000.0, 6_000.0]},
        geometry=[box(400_500, 2_500_500, 404_000, 2_507_500), box(404_000, 2_500_500, 407_500, 2_507_500)],
        crs=CRS,
    )  # fmt: skip


@pytest.fixture
def towers() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"site_id": ["V1", "M1", "M2"], "operator": ["Viettel", "MobiFone", "MobiFone"],
         "technology": ["4G"] * 3, "frequency_mhz": [1800.0] * 3,
         "antenna_height_m": [30.0, 35.0, 25.0], "eirp_dbm": [45.0] * 3,
         "azimuth_deg": [np.nan] * 3, "beamwidth_deg": [360.0] * 3, "tilt_deg": [3.0] * 3},
        geometry=gpd.points_from_xy([401_550, 405_050, 402_050], [2_506_450, 2_501_550, 2_502_050]),
        crs=CRS,
    )  # fmt: skip
    return frame


def _plan(communes, towers, terrain, **options):
    return plan_sites(communes, towers, terrain, **{**OPTIONS, **options})


@pytest.mark.parametrize("solver", ["greedy", "ilp"])
def test_applying_the_plan_gains_the_people_it_said(communes, towers, terrain, tmp_path, solver):
    plan = _plan(communes, towers, terrain, operator="Viettel", sites=3, solver=solver,
                 spacing_m=400, search_ring_m=300)  # fmt: skip
    proposals = plan.towers("Viettel")
    assert len(proposals) == 3 and proposals["rank"].tolist() == [1, 2, 3]
    assert proposals["people_gained"].is_monotonic_decreasing
    out = write_proposals(proposals, tmp_path / "proposals.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultsUsedWarning)
        added = read_towers(out)
    assert added["site_id"].tolist() == proposals["site_id"].tolist()
    before = analyse(communes, towers, terrain, **OPTIONS)
    after = analyse(communes, pd.concat([towers, added.to_crs(CRS)], ignore_index=True),
                    terrain, **OPTIONS)  # fmt: skip
    gained = (
        before.communes["uncovered_population_viettel"].sum()
        - after.communes["uncovered_population_viettel"].sum()
    )
    assert gained == pytest.approx(proposals["cumulative_people"].iloc[-1], rel=1e-9)
    assert gained > 0
    assert plan.selections["Viettel"].upper_bound >= plan.selections["Viettel"].objective


def test_colocation_candidates_sit_on_their_hosts(communes, towers, terrain):
    plan = _plan(communes, towers, terrain, operator="Viettel", sites=2, terrain_search=False)
    coloc = plan.candidates[plan.candidates["kind"] == "co-location"]
    assert sorted(coloc["host_site_id"]) == ["M1", "M2"]
    hosts = towers.set_index("site_id")
    for row in coloc.itertuples():
        host = hosts.loc[row.host_site_id]
        assert (row.geometry.x, row.geometry.y) == (host.geometry.x, host.geometry.y)
        assert row.antenna_height_m == host.antenna_height_m
    assert set(plan.proposals["kind"]) <= {"co-location"}
    assert set(plan.colocation_offers["guest_operator"]) == {"Viettel"}


def test_every_operator_and_shared_in_numbers(communes, towers, terrain):
    plan = _plan(communes, towers, terrain, sites=2, spacing_m=400, search_ring_m=300)
    assert set(plan.selections) == {"MobiFone", "Viettel", "shared"}
    table = plan.sharing.set_index("plan")
    assert table.loc["all operators separately", "sites"] == (
        table.loc["MobiFone", "sites"] + table.loc["Viettel", "sites"]
    )
    shared = plan.towers("shared")
    assert set(shared["operator"]) <= {"MobiFone", "Viettel"}


def test_bad_input_is_clear(communes, towers, terrain, tmp_path):
    assert _plan(communes, towers, terrain, operator="Viettel", sites=0).notes == [
        "a budget of 0 sites or 0 money: nothing can be built."
    ]
    assert _plan(communes, towers, terrain, operator="Viettel", budget=0).proposals.empty
    with pytest.raises(PlanningError, match="no candidate sites"):
        _plan(communes, towers, terrain, operator="Viettel", sites=2, terrain_search=False,
              colocation=False)  # fmt: skip
    outside = gpd.GeoDataFrame({"site_id": ["FAR"]}, geometry=gpd.points_from_xy([600_000], [2_500_000]), crs=CRS)  # fmt: skip
    with pytest.raises(TerrainError, match="FAR"):
        _plan(communes, towers, terrain, operator="Viettel", sites=2, candidates=outside)
    strong = towers.assign(eirp_dbm=90.0, antenna_height_m=100.0)
    empty = _plan(communes, strong, terrain, operator="Viettel", sites=2, radius_m=12_000)
    assert empty.proposals.empty and "nothing left to cover" in empty.notes[0]
    table = tmp_path / "costs.csv"
    table.write_text("kind,cost\nnew,about 100k\n", encoding="utf-8")
    with pytest.raises(PlanningError, match=r"costs.csv, row 2: cost 'about 100k'"):
        read_cost_table(table)


def test_a_coverage_already_computed_is_reused_with_the_same_plan(communes, towers, terrain):
    from coverage.errors import PlanningError
    from coverage.model import predict

    existing = predict(towers, terrain, radius_m=OPTIONS["radius_m"])
    plain = _plan(communes, towers, terrain, operator="Viettel", sites=2)
    reused = _plan(
        communes, towers, terrain, operator="Viettel", sites=2, existing_coverage=existing
    )
    assert reused.proposals["site_id"].tolist() == plain.proposals["site_id"].tolist()
    assert reused.proposals["people_gained"].tolist() == plain.proposals["people_gained"].tolist()
    other = predict(towers, terrain, radius_m=1_000.0)
    with pytest.raises(PlanningError, match="radius_m"):
        _plan(communes, towers, terrain, operator="Viettel", sites=2, existing_coverage=other)
