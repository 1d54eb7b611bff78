"""predict(): many towers over the terrain, reduced per operator and technology."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import Point

from coverage.errors import DemEdgeWarning, ModelRangeError, SchemaError, TerrainError
from coverage.model import (
    SECTOR_FRONT_TO_BACK_DB,
    SECTOR_SIDELOBE_DB,
    predict,
    sector_gain_db,
)
from coverage.model.prediction import _merge
from coverage.physics.antenna import antenna_gain_db
from coverage.physics.free_space import free_space_loss_db
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.receiver import measured_power_dbm
from coverage.terrain import Terrain

CELL = 50.0
SIZE = 121  # 6 km square


@pytest.fixture
def flat() -> Terrain:
    return Terrain.from_array(
        np.full((SIZE, SIZE), 200.0),
        transform=Affine(CELL, 0, 500_000, 0, -CELL, 2_500_000),
        crs="EPSG:32648",
    )


def _towers(rows: list[dict], crs: str = "EPSG:32648") -> gpd.GeoDataFrame:
    base = {
        "technology": "4G",
        "frequency_mhz": 1800.0,
        "antenna_height_m": 30.0,
        "eirp_dbm": 60.0,
        "azimuth_deg": np.nan,
        "beamwidth_deg": np.nan,
        "tilt_deg": np.nan,
    }
    records = [{**base, **r} for r in rows]
    geometry = [Point(r.pop("x"), r.pop("y")) for r in records]
    return gpd.GeoDataFrame(records, geometry=geometry, crs=crs)


def _centre(terrain: Terrain, drow: int = 0, dcol: int = 0) -> tuple[float, float]:
    x, y = terrain.xy(SIZE // 2 + drow, SIZE // 2 + dcol)
    return float(x), float(y)


def test_free_space_power_equals_eirp_minus_loss(flat: Terrain) -> None:
    x, y = _centre(flat)
    towers = _towers([{"site_id": "A", "operator": "Viettel", "x": x, "y": y}])
    result = predict(towers, flat, model="fspl", radius_m=2500)
    row, col = SIZE // 2, SIZE // 2 + 40  # 2 km east
    slant = np.hypot(40 * CELL, 30.0 - 1.5)
    expected = measured_power_dbm(60.0, "4G") - free_space_loss_db(slant, 1800.0)
    assert result.best_power_dbm[0, row, col] == pytest.approx(expected, abs=0.05)
    assert result.serving_site[0, row, col] == 0
    assert np.isnan(result.best_power_dbm[0, row, col + 15])  # beyond the radius
    assert result.crs.to_epsg() == 32648 and result.transform == flat.transform


def test_best_server_and_layers_per_operator(flat: Terrain) -> None:
    (xa, ya), (xb, yb) = _centre(flat, dcol=-30), _centre(flat, dcol=30)
    towers = _towers(
        [
            {"site_id": "A", "operator": "Viettel", "x": xa, "y": ya},
            {"site_id": "B", "operator": "Viettel", "x": xb, "y": yb},
            {
                "site_id": "C",
                "operator": "MobiFone",
                "x": xb,
                "y": yb,
                "technology": "2G",
                "frequency_mhz": 900.0,
            },
        ]
    )
    result = predict(towers, flat, model="fspl", radius_m=1400)
    layers = list(zip(result.layers.operator, result.layers.technology, strict=True))
    assert layers == [("MobiFone", "2G"), ("Viettel", "4G")]
    viettel = result.serving_site[1]
    assert viettel[SIZE // 2, SIZE // 2 - 35] == 0 and viettel[SIZE // 2, SIZE // 2 + 35] == 1
    assert result.layers.threshold_dbm.tolist() == [-95.0, -110.0]
    assert result.operators_covering.max() == 2
    assert set(result.operator_covered()) == {"MobiFone", "Viettel"}


def test_sector_antenna_is_weaker_behind(flat: Terrain) -> None:
    x, y = _centre(flat)
    towers = _towers(
        [
            {
                "site_id": "S",
                "operator": "Viettel",
                "x": x,
                "y": y,
                "azimuth_deg": 90.0,
                "beamwidth_deg": 65.0,
            }
        ]
    )
    power = predict(towers, flat, model="fspl", radius_m=2500).best_power_dbm[0]
    front, back = power[SIZE // 2, SIZE // 2 + 30], power[SIZE // 2, SIZE // 2 - 30]
    assert front - back == pytest.approx(25.0, abs=0.01)  # 3GPP front-to-back A_m


def test_ridge_shadows_the_valley_behind_it() -> None:
    elevation = np.full((SIZE, SIZE), 200.0)
    elevation[:, SIZE // 2 + 10 : SIZE // 2 + 13] = 600.0  # a north-south ridge 500 m east
    terrain = Terrain.from_array(
        elevation, transform=Affine(CELL, 0, 0, 0, -CELL, SIZE * CELL), crs="EPSG:32648"
    )
    x, y = terrain.xy(SIZE // 2, SIZE // 2)
    towers = _towers([{"site_id": "A", "operator": "Viettel", "x": float(x), "y": float(y)}])
    diffraction = predict(towers, terrain, model="diffraction", radius_m=2500).best_power_dbm[0]
    free = predict(towers, terrain, model="fspl", radius_m=2500).best_power_dbm[0]
    west, east = (SIZE // 2, SIZE // 2 - 30), (SIZE // 2, SIZE // 2 + 30)
    assert free[east] - diffraction[east] > 20  # deep shadow behind the ridge
    assert free[west] - diffraction[west] < 3  # open side


def test_empty_tower_list_is_all_gap(flat: Terrain) -> None:
    towers = _towers([]).iloc[0:0]
    towers = gpd.GeoDataFrame(
        {
            c: []
            for c in (
                "site_id",
                "operator",
                "technology",
                "frequency_mhz",
                "antenna_height_m",
                "eirp_dbm",
            )
        },
        geometry=[],
        crs="EPSG:32648",
    )
    result = predict(towers, flat)
    assert len(result.layers) == 0 and not result.covered_any.any()
    assert result.operators_covering.sum() == 0


def test_tower_outside_dem_is_named(flat: Terrain) -> None:
    towers = _towers([{"site_id": "FAR-1", "operator": "Viettel", "x": 0.0, "y": 0.0}])
    with pytest.raises(TerrainError, match="FAR-1"):
        predict(towers, flat)


def test_hata_frequency_out_of_range_names_the_site(flat: Terrain) -> None:
    x, y = _centre(flat)
    towers = _towers(
        [
            {
                "site_id": "N78",
                "operator": "Viettel",
                "x": x,
                "y": y,
                "technology": "5G",
                "frequency_mhz": 3500.0,
            }
        ]
    )
    with pytest.raises(ModelRangeError, match="N78"):
        predict(towers, flat, model="hata")


def test_unknown_technology_threshold(flat: Terrain) -> None:
    x, y = _centre(flat)
    towers = _towers([{"site_id": "X", "operator": "Viettel", "x": x, "y": y, "technology": "6G"}])
    with pytest.raises(SchemaError, match="thresholds_dbm"):
        predict(towers, flat)


def test_dask_threads_give_the_same_result(flat: Terrain) -> None:
    sites = [
        {
            "site_id": f"S{i}",
            "operator": "Viettel" if i % 2 else "VinaPhone",
            "x": _centre(flat, dcol=d)[0],
            "y": _centre(flat, dcol=d)[1],
        }
        for i, d in enumerate((-25, -10, 10, 25))
    ]
    towers = _towers(sites)
    seen: list[int] = []
    serial = predict(towers, flat, radius_m=1500)
    parallel = predict(
        towers, flat, radius_m=1500, scheduler="threads", batch_size=2, progress=seen.append
    )
    np.testing.assert_array_equal(serial.best_power_dbm, parallel.best_power_dbm)
    np.testing.assert_array_equal(serial.serving_site, parallel.serving_site)
    assert seen == [2, 4]


def test_itm_environment_reaches_every_site(flat: Terrain) -> None:
    x, y = _centre(flat)
    towers = _towers([{"site_id": "A", "operator": "Viettel", "x": x, "y": y}])
    default = predict(towers, flat, model="itm", radius_m=2500)
    lao_cai = predict(towers, flat, model="itm", radius_m=2500, itm=ItmEnvironment())
    np.testing.assert_array_equal(default.best_power_dbm, lao_cai.best_power_dbm)
    often = predict(towers, flat, model="itm", radius_m=2500, itm=ItmEnvironment(time_pct=90.0))
    far = np.isfinite(default.best_power_dbm[0])
    far[SIZE // 2 - 25 : SIZE // 2 + 26, SIZE // 2 - 25 : SIZE // 2 + 26] = False  # beyond 1.25 km
    assert far.sum() > 1000
    assert np.all(often.best_power_dbm[0][far] < default.best_power_dbm[0][far])
    assert often.parameters["itm"] == ItmEnvironment(time_pct=90.0)


def test_itm_environment_is_refused_by_other_models(flat: Terrain) -> None:
    x, y = _centre(flat)
    towers = _towers([{"site_id": "A", "operator": "Viettel", "x": x, "y": y}])
    with pytest.raises(TypeError, match="model='itm' only"):
        predict(towers, flat, model="diffraction", radius_m=1000, itm=ItmEnvironment())


@pytest.mark.parametrize("scheduler", [None, "threads"])
def test_sites_past_the_dem_edge_are_one_warning_naming_them(
    flat: Terrain, scheduler: str | None
) -> None:
    """Truncation comes back from each task as a value, so threads report it the same."""
    x, y = _centre(flat)
    towers = _towers(
        [
            {"site_id": "EDGE-1", "operator": "Viettel", "x": x - 2_800.0, "y": y},
            {"site_id": "MIDDLE", "operator": "Viettel", "x": x, "y": y},
            {"site_id": "EDGE-2", "operator": "MobiFone", "x": x + 2_800.0, "y": y},
        ]
    )
    with pytest.warns(DemEdgeWarning) as caught:
        predict(towers, flat, radius_m=1_000, scheduler=scheduler, batch_size=1)
    assert len(caught) == 1
    assert "2 site(s) (EDGE-1, EDGE-2)" in str(caught[0].message)


def test_warnings_that_are_not_phusongs_reach_the_caller(
    flat: Terrain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """predict() records nothing: a library's own warning inside a task is not swallowed."""
    import coverage.model.sites

    original = coverage.model.sites.antenna_gain_db

    def noisy(*args: object, **kwargs: object) -> np.ndarray:
        warnings.warn("from a dependency", RuntimeWarning, stacklevel=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(coverage.model.sites, "antenna_gain_db", noisy)
    x, y = _centre(flat)
    sector = {"azimuth_deg": 90.0, "beamwidth_deg": 65.0}  # omni sites skip the pattern
    towers = _towers([{"site_id": "S", "operator": "Viettel", "x": x, "y": y, **sector}])
    with pytest.warns(RuntimeWarning, match="from a dependency"):
        predict(towers, flat, radius_m=1_000)


def test_filled_dem_voids_are_flagged_in_validity(flat: Terrain) -> None:
    void = np.zeros(flat.shape, dtype=bool)
    void[10:14, 10:14] = True  # filled by interpolation: finite elevation, still a void
    filled = Terrain.from_array(
        flat.elevation_m, transform=flat.transform, crs="EPSG:32648", void_mask=void
    )
    x, y = _centre(filled)
    towers = _towers([{"site_id": "A", "operator": "Viettel", "x": x, "y": y}])
    result = predict(towers, filled, model="fspl", radius_m=2500)
    assert (result.validity[void] & 8).all()  # Validity.TERRAIN_VOID
    assert not (result.validity[~void] & 8).any()


def test_omni_gain_shortcut_equals_the_full_pattern() -> None:
    """An omni antenna without tilt skips the pattern: 0 dB or NaN exactly as it gives."""
    rng = np.random.default_rng(3)
    bearing = rng.uniform(0, 360, 1000)
    elevation = rng.uniform(-30, 30, 1000)
    bearing[::7] = np.nan
    elevation[::11] = np.nan
    bearing[5] = np.inf
    full = antenna_gain_db(
        bearing, elevation, np.nan, np.nan, SECTOR_FRONT_TO_BACK_DB, SECTOR_SIDELOBE_DB
    )
    fast = sector_gain_db(np.nan, np.nan, np.nan, bearing, elevation)
    np.testing.assert_array_equal(fast, full)
    assert np.isnan(fast).sum() > 100 and (fast == 0.0).sum() > 500
    assert not np.signbit(fast[fast == 0.0]).any()


def test_merge_equals_merging_by_boolean_indexing() -> None:
    """_merge's masked in-place copies give what gathering with boolean masks gave."""
    rng = np.random.default_rng(5)
    shape = (60, 60)
    merged = [np.full(shape, np.nan, np.float32), np.full(shape, -1, np.int32),
              np.zeros(shape, np.uint8)]  # fmt: skip
    indexed = [a.copy() for a in merged]
    for site in range(25):
        row0, col0 = (int(v) for v in rng.integers(0, 30, 2))
        power = rng.normal(-90, 10, (30, 30)).astype(np.float32)
        power[rng.random(power.shape) < 0.2] = np.nan
        power[rng.random(power.shape) < 0.05] = -np.inf
        power[rng.random(power.shape) < 0.1] = -90.0  # ties with earlier sites
        flags = rng.integers(0, 8, power.shape).astype(np.uint8)
        _merge(*merged, row0, col0, power, flags, site)
        best, serving, validity = indexed
        window = (slice(row0, row0 + 30), slice(col0, col0 + 30))
        current = best[window]
        better = np.isfinite(power) & ~(current >= power)
        current[better] = power[better]
        serving[window][better] = site
        validity[window][np.isfinite(power)] |= flags[np.isfinite(power)]
    for got, expected in zip(merged, indexed, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert (merged[1] >= 0).sum() > 1000


def test_sites_computed_two_at_once_give_the_one_by_one_result(flat: Terrain) -> None:
    """Without a scheduler two sites run at once and the next batch computes while one is
    merged: the result is the sites' one-by-one result, merged in their order."""
    sites = [
        {
            "site_id": f"S{i}",
            "operator": ("Viettel", "VinaPhone")[i % 2],
            "x": _centre(flat, dcol=d)[0],
            "y": _centre(flat, drow=i - 3)[1],
        }
        for i, d in enumerate((-25, -10, 0, 0, 10, 25, 5))
    ]
    towers = _towers(sites)
    seen: list[int] = []
    default = predict(towers, flat, radius_m=1500, batch_size=3, progress=seen.append)
    one_by_one = predict(towers, flat, radius_m=1500, batch_size=3, scheduler="sync")
    np.testing.assert_array_equal(default.best_power_dbm, one_by_one.best_power_dbm)
    np.testing.assert_array_equal(default.serving_site, one_by_one.serving_site)
    np.testing.assert_array_equal(default.validity, one_by_one.validity)
    assert seen == [3, 6, 7]


def test_a_site_failing_on_a_thread_speaks_the_callers_language() -> None:
    from coverage.i18n import language

    elevation = np.zeros((SIZE, SIZE))
    elevation[60, 70] = np.nan  # a void 500 m from the site, not filled
    terrain = Terrain.from_array(
        elevation, transform=Affine(50, 0, 0, 0, -50, SIZE * 50), crs="EPSG:32648"
    )
    x, y = _centre(terrain)
    towers = _towers([{"site_id": "A", "operator": "Viettel", "x": x, "y": y}])
    with language("vi"), pytest.raises(TerrainError, match="ô DEM trống"):
        predict(towers, terrain, radius_m=1000)
