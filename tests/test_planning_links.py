"""Backhaul inside plan_sites: columns on the proposals, require_backhaul as a constraint."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from shapely.geometry import box

from coverage.cli import main
from coverage.errors import DefaultsUsedWarning, PlanningError
from coverage.io.proposals import write_proposals
from coverage.io.towers import read_towers
from coverage.planning.backhaul import BACKHAUL_COLUMNS
from coverage.planning.plan import PROPOSAL_COLUMNS, plan_sites
from coverage.terrain import Terrain

CRS = "EPSG:32648"
TRANSFORM = Affine(100, 0, 400_000, 0, -100, 2_506_000)
pytestmark = [
    pytest.mark.filterwarnings("ignore::coverage.errors.DemEdgeWarning"),
    pytest.mark.filterwarnings("ignore::coverage.errors.CruderMethodWarning"),
]
OPTIONS = {"radius_m": 2_500.0, "population_column": "people", "operator": "Viettel"}
ONLY_USER = {"terrain_search": False, "colocation": False}


def _two_ridges() -> np.ndarray:
    """Flat 300 m ground crossed north-south by two 1,500 m walls (x 1.2-1.4 and 2.9-3.1 km).

    The candidate ``BEHIND`` (x = 0.85 km) sees the Viettel mast (x = 3.45 km) through
    neither wall, and no relay clears both: a relay on one wall is blocked by the other.
    """
    z = np.full((60, 60), 300.0)
    z[:, 12:14] = 1_500.0
    z[:, 29:31] = 1_500.0
    return z


@pytest.fixture
def terrain() -> Terrain:
    return Terrain.from_array(_two_ridges(), transform=TRANSFORM, crs=CRS)


@pytest.fixture
def towers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["V1"], "operator": ["Viettel"], "technology": ["4G"],
         "frequency_mhz": [1800.0], "antenna_height_m": [30.0], "eirp_dbm": [45.0],
         "azimuth_deg": [np.nan], "beamwidth_deg": [360.0], "tilt_deg": [3.0]},
        geometry=gpd.points_from_xy([403_450], [2_503_050]), crs=CRS,
    )  # fmt: skip


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Y Tý"], "people": [5_000.0]},
        geometry=[box(400_100, 2_500_100, 405_900, 2_505_900)], crs=CRS,
    )  # fmt: skip


@pytest.fixture
def candidates() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["BEHIND", "CLEAR"], "operator": ["Viettel"] * 2,
         "antenna_height_m": [30.0, 30.0]},
        geometry=gpd.points_from_xy([400_850, 404_950], [2_503_050, 2_503_050]), crs=CRS,
    )  # fmt: skip


def test_a_candidate_behind_the_mountain_is_kept_unless_backhaul_is_required(
    communes, towers, terrain, candidates
):
    free = plan_sites(communes, towers, terrain, sites=2, candidates=candidates,
                      **ONLY_USER, **OPTIONS)  # fmt: skip
    rows = free.proposals.set_index("candidate_id")
    assert set(rows.index) == {"BEHIND", "CLEAR"}
    assert rows.loc["BEHIND", "backhaul_ok"] == False  # noqa: E712 (numpy bool)
    assert rows.loc["BEHIND", "backhaul_clearance_f1_k43"] < 0
    assert rows.loc["CLEAR", "backhaul_ok"] == True  # noqa: E712
    assert rows.loc["CLEAR", "backhaul_partner"] == "V1"
    assert rows.loc["CLEAR", "backhaul_hops"] == 1
    assert rows.loc["CLEAR", "backhaul_distance_km"] == pytest.approx(1.5)

    bound = plan_sites(communes, towers, terrain, sites=2, candidates=candidates,
                       require_backhaul=True, **ONLY_USER, **OPTIONS)  # fmt: skip
    assert bound.proposals["candidate_id"].tolist() == ["CLEAR"]
    assert "Viettel: 1 of 2 candidates removed" in " ".join(bound.notes)
    # the same site ranks, gains and links as in the free plan
    assert bound.proposals["people_gained"].iloc[0] <= rows["people_gained"].max()


def test_a_fibre_point_behind_the_mountain_links_it(communes, towers, terrain, candidates):
    fibre = gpd.GeoDataFrame(
        {"point_id": ["POP-W"], "antenna_height_m": [20.0]},
        geometry=gpd.points_from_xy([400_350], [2_503_050]), crs=CRS,
    )  # fmt: skip
    plan = plan_sites(communes, towers, terrain, sites=2, candidates=candidates, fibre=fibre,
                      require_backhaul=True, **ONLY_USER, **OPTIONS)  # fmt: skip
    rows = plan.proposals.set_index("candidate_id")
    assert rows.loc["BEHIND", "backhaul_partner"] == "POP-W"
    assert rows.loc["BEHIND", "backhaul_partner_kind"] == "fibre"
    assert rows.loc["BEHIND", "backhaul_distance_km"] == pytest.approx(0.5)


def test_proposals_with_backhaul_are_still_a_tower_list(
    communes, towers, terrain, candidates, tmp_path
):
    plan = plan_sites(communes, towers, terrain, sites=2, candidates=candidates,
                      **ONLY_USER, **OPTIONS)  # fmt: skip
    assert list(plan.proposals.columns) == [*PROPOSAL_COLUMNS, "geometry"]
    assert set(BACKHAUL_COLUMNS) <= set(PROPOSAL_COLUMNS)
    for suffix in (".xlsx", ".csv", ".gpkg"):
        out = write_proposals(plan.proposals, tmp_path / f"p{suffix}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DefaultsUsedWarning)
            read = read_towers(out)
        assert read["site_id"].tolist() == plan.proposals["site_id"].tolist()


def test_backhaul_off_leaves_the_columns_empty(communes, towers, terrain, candidates):
    plan = plan_sites(communes, towers, terrain, sites=1, candidates=candidates,
                      backhaul=False, **ONLY_USER, **OPTIONS)  # fmt: skip
    assert plan.proposals["backhaul_partner"].isna().all()
    assert plan.proposals["backhaul_ok"].isna().all()


def test_required_backhaul_without_partners_or_for_a_locked_site_is_clear(
    communes, towers, terrain, candidates
):
    with pytest.raises(PlanningError, match="no existing mast and no fibre point"):
        plan_sites(communes, towers.iloc[:0], terrain, sites=1, candidates=candidates,
                   require_backhaul=True, **ONLY_USER, **OPTIONS)  # fmt: skip
    with pytest.raises(PlanningError, match=r"locked site id\(s\) \['BEHIND'\] have no backhaul"):
        plan_sites(communes, towers, terrain, sites=2, candidates=candidates, locked=["BEHIND"],
                   require_backhaul=True, **ONLY_USER, **OPTIONS)  # fmt: skip
    # without towers and without require_backhaul the plan goes on and says why
    plan = plan_sites(communes, towers.iloc[:0], terrain, sites=1, candidates=candidates,
                      **ONLY_USER, **OPTIONS)  # fmt: skip
    assert any("backhaul not computed" in note for note in plan.notes)


def _files(folder: Path, towers, communes, candidates) -> dict[str, Path]:
    dem = folder / "dem.tif"
    z = _two_ridges()
    with rasterio.open(dem, "w", driver="GTiff", width=60, height=60, count=1,
                       dtype="float32", crs=CRS, transform=TRANSFORM) as dst:  # fmt: skip
        dst.write(z.astype("float32"), 1)
    files = {"dem": dem, "towers": folder / "towers.gpkg", "communes": folder / "c.geojson",
             "candidates": folder / "cand.gpkg"}  # fmt: skip
    towers.to_file(files["towers"], engine="pyogrio")
    communes.assign(ma_xa="00001").to_file(files["communes"], engine="pyogrio")
    candidates.assign(technology="4G").to_file(files["candidates"], engine="pyogrio")
    return files


def test_cli_require_backhaul(communes, towers, candidates, tmp_path):
    files = _files(tmp_path, towers, communes, candidates)
    out = tmp_path / "proposals.csv"
    args = ["plan", "--communes", files["communes"], "--towers", files["towers"],
            "--dem", files["dem"], "--population-column", "people", "--operator", "Viettel",
            "--new-sites", "2", "--candidates", files["candidates"], "--radius", "2500",
            "--require-backhaul", "--max-hop", "20000", "--out", out]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultsUsedWarning)
        written = read_towers(out)
    assert len(written) >= 1
    assert "BEHIND" not in set(pd.read_csv(out, encoding="utf-8-sig")["candidate_id"])
    bad = CliRunner().invoke(
        main, [str(a) for a in args[:-2]] + ["--max-hop", "-5", "--out", str(out)]
    )
    assert bad.exit_code == 2 and "--max-hop" in bad.output
