"""Backhaul links of proposed sites over synthetic terrain, checked by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import Point

from coverage.crs import WGS84, transform_xy
from coverage.errors import OutsideGridWarning, SchemaError, TerrainError
from coverage.io.fibre import read_fibre_points
from coverage.planning.backhaul import BACKHAUL_COLUMNS, backhaul_links
from coverage.terrain import Terrain

CRS = "EPSG:32648"
X0, Y0, CELL = 400_000.0, 2_520_000.0, 100.0
ROW = 50  # the paths run along this row of cell centres


def _terrain(elevation: np.ndarray) -> Terrain:
    return Terrain.from_array(
        elevation, transform=Affine(CELL, 0, X0, 0, -CELL, Y0), crs=CRS, source="synthetic"
    )


def _x(col: float) -> float:
    return X0 + (col + 0.5) * CELL


Y = Y0 - (ROW + 0.5) * CELL


def _points(rows: list[tuple[str, str, float, float, float]]) -> gpd.GeoDataFrame:
    """(site_id, operator, col, row, antenna height) rows as points on the grid."""
    return gpd.GeoDataFrame(
        {
            "site_id": [r[0] for r in rows],
            "operator": [r[1] for r in rows],
            "antenna_height_m": [r[4] for r in rows],
        },
        geometry=[Point(_x(r[2]), Y0 - (r[3] + 0.5) * CELL) for r in rows],
        crs=CRS,
    )


@pytest.fixture
def ridge_20km() -> Terrain:
    """A 200 m plain, 100 x 300 cells of 100 m, a 15 m ridge three cells wide at column 150."""
    elevation = np.full((100, 300), 200.0)
    elevation[:, 149:152] = 215.0
    return _terrain(elevation)


def test_columns_and_index_are_the_sites(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 50, ROW, 40.0)]).set_index(
        gpd.pd.Index(["a"], name="key")
    )
    masts = _points([("VT-1", "Viettel", 250, ROW, 40.0)])
    links = backhaul_links(sites, ridge_20km, masts=masts, relay=False)
    assert tuple(links.columns) == BACKHAUL_COLUMNS
    assert links.index.equals(sites.index)


def test_ridge_clearance_matches_the_hand_computation(ridge_20km: Terrain) -> None:
    """20 km at 7 GHz, antennas 40 m over the 200 m plain, 15 m ridge at mid-path.

    r1 = 14.634 m; bulge 5.886 m at k = 4/3, 11.772 m at k = 2/3:
    (240 - 215 - 5.886) / 14.634 = 1.306 and (240 - 215 - 11.772) / 14.634 = 0.904.
    """
    sites = _points([("NEW-1", "Viettel", 50, ROW, 40.0)])
    masts = _points([("VT-1", "Viettel", 250, ROW, 40.0)])
    row = backhaul_links(sites, ridge_20km, masts=masts).iloc[0]
    assert row["backhaul_partner"] == "VT-1"
    assert row["backhaul_partner_kind"] == "mast"
    assert row["backhaul_hops"] == 1
    assert row["backhaul_distance_km"] == pytest.approx(20.0)
    assert row["backhaul_clearance_f1_k43"] == pytest.approx(1.306, abs=2e-3)
    assert row["backhaul_clearance_f1_k23"] == pytest.approx(0.904, abs=2e-3)
    assert row["backhaul_ok"]
    assert math.isnan(row["backhaul_relay_lon"])


def test_a_ridge_that_blocks_only_at_two_thirds_fails() -> None:
    """30 km, antennas 60 m over a 100 m plain, a 35 m ridge at mid-path, 7 GHz.

    r1 = 17.922 m, bulge 13.244 m (4/3) and 26.487 m (2/3): clearance 0.656 F1 at 4/3
    (over 0.6: passes) but (60 - 35 - 26.487) / 17.922 = -0.083 at 2/3: below grazing.
    """
    elevation = np.full((100, 400), 100.0)
    elevation[:, 199:202] = 135.0
    terrain = _terrain(elevation)
    sites = _points([("NEW-1", "Viettel", 50, ROW, 60.0)])
    masts = _points([("VT-1", "Viettel", 350, ROW, 60.0)])
    row = backhaul_links(sites, terrain, masts=masts, relay=False).iloc[0]
    assert row["backhaul_clearance_f1_k43"] == pytest.approx((25 - 13.244) / 17.922, abs=2e-3)
    assert row["backhaul_clearance_f1_k23"] == pytest.approx((25 - 26.487) / 17.922, abs=2e-3)
    assert row["backhaul_clearance_f1_k43"] >= 0.6
    assert not row["backhaul_ok"]
    assert row["backhaul_partner"] == "VT-1"  # the nearest miss is reported
    # a 10 m lower ridge clears both
    elevation[:, 199:202] = 125.0
    assert backhaul_links(sites, _terrain(elevation), masts=masts).iloc[0]["backhaul_ok"]


def test_shortest_passing_partner_of_the_sites_own_operator(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    masts = _points(
        [
            ("MF-1", "MobiFone", 120, ROW, 30.0),  # 2 km, other operator
            ("VT-far", "viettel", 200, ROW, 30.0),  # 10 km
            ("VT-near", "Viettel", 50, ROW, 30.0),  # 5 km
        ]
    )
    own = backhaul_links(sites, ridge_20km, masts=masts).iloc[0]
    assert (own["backhaul_partner"], own["backhaul_distance_km"]) == ("VT-near", 5.0)
    shared = backhaul_links(sites, ridge_20km, masts=masts, shared=True).iloc[0]
    assert (shared["backhaul_partner"], shared["backhaul_distance_km"]) == ("MF-1", 2.0)


def test_hop_length_limit(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 10, ROW, 30.0)])
    masts = _points([("VT-1", "Viettel", 230, ROW, 30.0)])  # 22 km
    short = backhaul_links(sites, ridge_20km, masts=masts, max_hop_m=20_000, relay=False)
    row = short.iloc[0]
    assert row["backhaul_hops"] == 0 and row["backhaul_partner"] is None
    assert not row["backhaul_ok"] and math.isnan(row["backhaul_distance_km"])
    linked = backhaul_links(sites, ridge_20km, masts=masts, max_hop_m=22_000).iloc[0]
    assert linked["backhaul_ok"] and linked["backhaul_distance_km"] == pytest.approx(22.0)


def test_relay_found_over_a_mountain() -> None:
    """A 900 m mountain between a valley site and its mast 16 km away blocks the direct
    link; a 30 m relay mast on high ground within reach of both clears the two hops."""
    rows, cols = np.indices((200, 260))
    peak = 900.0 * np.exp(-(((cols - 130) / 12.0) ** 2 + ((rows - ROW) / 40.0) ** 2))
    terrain = _terrain(peak + 100.0)
    sites = _points([("NEW-1", "Viettel", 50, ROW, 30.0)])
    masts = _points([("VT-1", "Viettel", 210, ROW, 30.0)])
    direct = backhaul_links(sites, terrain, masts=masts, relay=False).iloc[0]
    assert not direct["backhaul_ok"] and direct["backhaul_clearance_f1_k43"] < 0
    row = backhaul_links(sites, terrain, masts=masts, max_hop_m=15_000).iloc[0]
    assert row["backhaul_ok"] and row["backhaul_hops"] == 2
    assert row["backhaul_partner"] == "VT-1"
    assert row["backhaul_clearance_f1_k43"] >= 0.6 and row["backhaul_clearance_f1_k23"] >= 0
    # the relay is within one hop of both ends, and the reported length is the two hops
    rx, ry = transform_xy(
        WGS84, CRS, np.array([row["backhaul_relay_lon"]]), np.array([row["backhaul_relay_lat"]])
    )
    hop1 = math.hypot(rx[0] - _x(50), ry[0] - Y)
    hop2 = math.hypot(rx[0] - _x(210), ry[0] - Y)
    assert hop1 <= 15_000 + 1 and hop2 <= 15_000 + 1
    assert row["backhaul_distance_km"] == pytest.approx((hop1 + hop2) / 1000, abs=2e-3)
    # the relay stands high on the mountain
    assert float(terrain.sample(rx, ry)[0]) > 500


def test_no_relay_when_nothing_clears() -> None:
    """A wall higher than any relay could see over: the site is reported unlinked."""
    elevation = np.full((100, 300), 100.0)
    elevation[:, 140:160] = 3000.0
    sites = _points([("NEW-1", "Viettel", 50, ROW, 30.0)])
    masts = _points([("VT-1", "Viettel", 250, ROW, 30.0)])
    row = backhaul_links(sites, _terrain(elevation), masts=masts).iloc[0]
    assert not row["backhaul_ok"] and row["backhaul_hops"] == 1
    assert math.isnan(row["backhaul_relay_lon"])


def test_fibre_points_from_a_file(ridge_20km: Terrain, tmp_path) -> None:
    lon, lat = transform_xy(CRS, WGS84, np.array([_x(120)]), np.array([Y]))
    path = tmp_path / "fibre.csv"
    path.write_text(f"Mã điểm,Kinh độ,Vĩ độ\nPOP-1,{lon[0]:.8f},{lat[0]:.8f}\n", encoding="utf-8")
    fibre = read_fibre_points(path)
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    masts = _points([("VT-far", "Viettel", 200, ROW, 30.0)])
    row = backhaul_links(sites, ridge_20km, masts=masts, fibre=fibre).iloc[0]
    assert (row["backhaul_partner"], row["backhaul_partner_kind"]) == ("POP-1", "fibre")
    assert row["backhaul_distance_km"] == pytest.approx(2.0, abs=1e-3)


def test_a_co_location_host_is_not_its_own_link(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    masts = _points([("MF-host", "MobiFone", 100, ROW, 30.0), ("MF-2", "MobiFone", 150, ROW, 30)])
    row = backhaul_links(sites, ridge_20km, masts=masts, shared=True).iloc[0]
    assert row["backhaul_partner"] == "MF-2"


# ------------------------------------------------------------------------------ bad input


def test_no_partners_is_a_clear_error(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    with pytest.raises(SchemaError, match="no partner to link to"):
        backhaul_links(sites, ridge_20km)
    with pytest.raises(SchemaError, match="no partner to link to"):
        backhaul_links(sites, ridge_20km, masts=_points([]).iloc[:0])


def test_site_outside_the_terrain_is_named(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0), ("FAR-9", "Viettel", 900, ROW, 30)])
    masts = _points([("VT-1", "Viettel", 150, ROW, 30.0)])
    with pytest.raises(TerrainError, match="FAR-9"):
        backhaul_links(sites, ridge_20km, masts=masts)


def test_negative_heights_are_named(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, -5.0)])
    masts = _points([("VT-1", "Viettel", 150, ROW, 30.0)])
    with pytest.raises(SchemaError, match=r"NEW-1 \(-5.0\)"):
        backhaul_links(sites, ridge_20km, masts=masts)
    with pytest.raises(SchemaError, match="VT-1"):
        backhaul_links(_points([("A", "Viettel", 100, ROW, 30)]), ridge_20km,
                       masts=_points([("VT-1", "Viettel", 150, ROW, -1.0)]))  # fmt: skip


def test_operator_needed_unless_shared(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)]).drop(columns="operator")
    masts = _points([("VT-1", "Viettel", 150, ROW, 30.0)])
    with pytest.raises(SchemaError, match="shared=True"):
        backhaul_links(sites, ridge_20km, masts=masts)
    assert backhaul_links(sites, ridge_20km, masts=masts, shared=True).iloc[0]["backhaul_ok"]


def test_bad_options(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    masts = _points([("VT-1", "Viettel", 150, ROW, 30.0)])
    with pytest.raises(SchemaError, match="max_hop_m"):
        backhaul_links(sites, ridge_20km, masts=masts, max_hop_m=0)
    with pytest.raises(SchemaError, match="frequency_mhz"):
        backhaul_links(sites, ridge_20km, masts=masts, frequency_mhz=float("nan"))


def test_partner_outside_the_terrain_is_left_out_with_a_warning(ridge_20km: Terrain) -> None:
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    masts = _points([("VT-1", "Viettel", 150, ROW, 30.0), ("VT-out", "Viettel", 400, ROW, 30)])
    with pytest.warns(OutsideGridWarning, match="VT-out"):
        row = backhaul_links(sites, ridge_20km, masts=masts).iloc[0]
    assert row["backhaul_partner"] == "VT-1"


def test_nearest_partners_that_are_blocked_do_not_hide_a_farther_clear_one() -> None:
    """Nine masts behind a wall (7.2 to 8 km) and one clear mast at 9 km: the search goes
    past the first batch of nearest partners and finds the clear one."""
    elevation = np.full((100, 300), 200.0)
    elevation[:, 60:63] = 3000.0
    sites = _points([("NEW-1", "Viettel", 100, ROW, 30.0)])
    blocked = [(f"VT-{c}", "Viettel", c, ROW, 30.0) for c in range(20, 29)]
    masts = _points([*blocked, ("VT-clear", "Viettel", 190, ROW, 30.0)])
    row = backhaul_links(sites, _terrain(elevation), masts=masts, relay=False).iloc[0]
    assert (row["backhaul_partner"], row["backhaul_distance_km"]) == ("VT-clear", 9.0)
    assert row["backhaul_ok"]
