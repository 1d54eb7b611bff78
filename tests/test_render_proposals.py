"""The proposals layer of the coverage map (coverage.render.proposals) and `map --proposals`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from click.testing import CliRunner
from shapely.geometry import Point
from test_render import XSS, build_scenario

from coverage.cli import main
from coverage.errors import GridError, SchemaError
from coverage.grid import Grid
from coverage.model import CoverageResult
from coverage.render.map import coverage_map
from coverage.render.offline import html_document, remote_references
from coverage.render.proposals import (
    ProposalLayer,
    newly_covered_rank,
    proposal_layers,
    proposal_records,
)


@pytest.fixture(scope="module")
def scenario() -> dict:
    return build_scenario(size=120)


def _proposals(scenario: dict) -> gpd.GeoDataFrame:
    """Three ranked proposals on the scenario's grid: new, co-location, hostile names."""
    towers = scenario["towers"]
    host = towers.geometry.iloc[0]  # VT-001 (Viettel)
    x0, y0 = towers.total_bounds[[0, 3]]
    return gpd.GeoDataFrame(
        {
            "rank": [2, 1, 3],
            "site_id": ["NEW-2", "COL-1", XSS],
            "operator": ["Viettel", "VinaPhone", "Viettel"],
            "technology": ["4G"] * 3,
            "frequency_mhz": [1800.0] * 3,
            "antenna_height_m": [30.0] * 3,
            "eirp_dbm": [58.0] * 3,
            "kind": ["new", "co-location", "new"],
            "host_operator": [None, "Viettel", None],
            "host_site_id": [None, "VT-001", None],
            "ground_m": [1500.0, 1480.0, 1510.0],
            "people_gained": [120.0, 340.0, 40.0],
            "cumulative_people": [460.0, 340.0, 500.0],
            "communes": ["Y Tý", "Mường Hum", XSS],
            "of_interest": [True, True, False],
            "cost": [1_200_000_000.0, 300_000_000.0, 1_200_000_000.0],
            "backhaul_partner": ["VT-002", "VT-001", None],
            "backhaul_partner_kind": ["mast", "mast", None],
            "backhaul_distance_km": [2.4, 0.5, np.nan],
            "backhaul_ok": [True, True, False],
        },
        geometry=[Point(x0 + 700, y0 - 2800), host, Point(x0 + 2500, y0 - 600)],
        crs=towers.crs,
    )


def _coverage_of(proposals: gpd.GeoDataFrame, result: CoverageResult) -> CoverageResult:
    """Synthetic coverage of the proposals on the scenario's grid: -70 dBm within 800 m."""
    x, y = result.grid.cell_centres()
    layers = pd.DataFrame(
        {"operator": ["Viettel", "VinaPhone"], "technology": ["4G", "4G"], "threshold_dbm": -110.0}
    )
    power = np.full((2,) + result.shape, np.nan, dtype=np.float32)
    serving = np.full((2,) + result.shape, -1, dtype=np.int32)
    for k, (operator, point) in enumerate(zip(proposals.operator, proposals.geometry, strict=True)):
        layer = int(np.flatnonzero(layers.operator == operator)[0])
        near = np.hypot(x - point.x, y - point.y) <= 800.0
        power[layer][near] = -70.0
        serving[layer][near] = k
    return CoverageResult(
        power, serving, layers, np.zeros(result.shape, np.uint8), result.grid, proposals
    )


def _document(scenario: dict, **kwargs: object) -> str:
    m = coverage_map(
        scenario["communes"],
        scenario["result"],
        scenario["gaps"],
        scenario["towers"],
        terrain=scenario["terrain"],
        offline=True,
        **kwargs,  # type: ignore[arg-type]
    )
    return html_document(m, offline=True)


def _without_ids(document: str) -> str:
    return re.sub(r"_[0-9a-f]{32}", "_ID", document)


def test_layer_has_one_marker_per_site_in_rank_order(scenario: dict) -> None:
    proposals = _proposals(scenario)
    layers, colormap = proposal_layers(proposals, {"Viettel": "#e31a1c"}, max_px=64)
    markers = layers[-1]
    assert isinstance(markers, ProposalLayer)
    assert [r["rank"] for r in markers.data] == [1.0, 2.0, 3.0]
    assert colormap is None  # no coverage given: no image
    colocation, new = markers.data[0]["icon"], markers.data[1]["icon"]
    assert "border-radius:3px" in colocation and "background:#ffffff" in colocation
    assert "border-radius:50%" in new and "background:#e31a1c" in new
    assert ">1</div>" in colocation and ">2</div>" in new  # rank labels
    popup = markers.data[0]["popup"]
    assert "co-location on Viettel mast VT-001" in popup
    assert "340" in popup and "Mường Hum (of interest)" in popup and "300,000,000" in popup


def test_map_shows_the_proposals_and_their_legend(scenario: dict) -> None:
    proposals = _proposals(scenario)
    coverage = _coverage_of(proposals, scenario["result"])
    document = _document(scenario, proposals=proposals, proposal_coverage=coverage)
    for label in ("Proposed sites", "Proposed sites: coverage each adds"):
        assert json.dumps(label)[1:-1] in document, label
    assert document.count("phusong-proposal\\u0027") == 3  # one icon per site
    assert "new site, \\u25a0 co-location" in document or "co-location on an existing" in document
    assert "Coverage each adds, by rank" in document


def test_hostile_names_stay_text(scenario: dict) -> None:
    proposals = _proposals(scenario)
    document = _document(scenario, proposals=proposals)
    assert "<img src=x" not in document
    records = proposal_records(proposals, {})
    hostile = next(r for r in records if r["rank"] == 3.0)
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in hostile["popup"]
    assert "<img" not in hostile["popup"] and "<img" not in hostile["icon"]


def test_map_without_proposals_is_unchanged(scenario: dict) -> None:
    plain = _document(scenario)
    assert _without_ids(_document(scenario, proposals=None)) == _without_ids(plain)
    assert "Proposed sites" not in plain and "phusong-proposal" not in plain


def test_offline_document_stays_self_contained(scenario: dict) -> None:
    proposals = _proposals(scenario)
    coverage = _coverage_of(proposals, scenario["result"])
    document = _document(scenario, proposals=proposals, proposal_coverage=coverage)
    assert remote_references(document) == []
    assert not re.search(r"<script[^>]+src=[\"']?https?:", document)


def test_newly_covered_cells_take_the_serving_sites_rank(scenario: dict) -> None:
    proposals = _proposals(scenario)
    result = scenario["result"]
    coverage = _coverage_of(proposals, result)
    alone = newly_covered_rank(proposals, coverage)
    assert alone is not None
    served = coverage.serving_site.max(axis=0)
    ranks = proposals["rank"].to_numpy(dtype=float)
    inside = served >= 0
    assert np.array_equal(alone[inside], ranks[served[inside]].astype(np.float32))
    assert np.isnan(alone[~inside]).all()
    # against the existing coverage, only what the operator lacked counts
    gained = newly_covered_rank(proposals, coverage, existing=result)
    assert gained is not None
    viettel_before = result.operator_covered()["Viettel"]
    viettel_cells = (coverage.layers.operator == "Viettel").to_numpy()
    viettel_new = coverage.covered[viettel_cells].any(axis=0)
    assert np.isnan(gained[viettel_new & viettel_before & ~coverage.covered[1]]).all()
    assert np.isfinite(gained[viettel_new & ~viettel_before]).all()


def test_bad_input(scenario: dict) -> None:
    proposals = _proposals(scenario)
    with pytest.raises(SchemaError, match="rank"):
        proposal_records(proposals.assign(rank=["one", 2, 3]), {})
    with pytest.raises(SchemaError, match="lon/lat"):
        proposal_records(pd.DataFrame({"rank": [1], "site_id": ["A"]}), {})
    coverage = _coverage_of(proposals, scenario["result"])
    other = scenario["result"]
    moved = CoverageResult(
        other.best_power_dbm, other.serving_site, other.layers, other.validity,
        Grid(other.crs, Affine.translation(100, 0) @ other.transform, other.shape),
        other.towers,
    )  # fmt: skip
    with pytest.raises(GridError, match="same terrain"):
        newly_covered_rank(proposals, coverage, existing=moved)


def test_cli_map_with_proposals(small_scenario: dict, tmp_path: Path) -> None:
    lon, lat = small_scenario["lon"], small_scenario["lat"]
    proposals = tmp_path / "proposals.csv"
    proposals.write_text(
        "rank,site_id,operator,lon,lat,antenna_height_m,technology,frequency_mhz,eirp_dbm,"
        "kind,people_gained\n"
        f"1,P-1,Viettel,{lon[2] + 0.01:.6f},{lat[2]:.6f},30,4G,1800,60,new,800\n"
        f"2,P-<2>,MobiFone,{lon[0]:.6f},{lat[0]:.6f},30,4G,1800,60,co-location,120\n",
        encoding="utf-8",
    )
    out = tmp_path / "m.html"
    args = [
        "map", "--communes", small_scenario["communes"], "--towers", small_scenario["towers"],
        "--dem", small_scenario["dem"], "--population-column", "dan_so", "--radius", "3000",
        "--offline", "--proposals", proposals, "--out", out,
    ]  # fmt: skip
    run = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    text = out.read_text(encoding="utf-8")
    assert text.count("phusong-proposal\\u0027") == 2
    assert "P-<2>" not in text and "P-&lt;2&gt;" in text.replace("\\u0026", "&")
    assert remote_references(text) == []
