"""The engine's errors, warnings and log lines in the chosen language, English as before.

Each module of the engine (model, radial, physics, ITM, terrain, grid, CRS, names,
operators, cluster, calibration, gaps, population, zonal, analysis, memory) writes its
messages from ``messages/<lang>/errors.po``: under :func:`coverage.i18n.language` ``"vi"``
they are Vietnamese, with the same figures; by default they are the English text the
library always wrote, word for word. Work run in other threads (dask's threaded scheduler)
or processes (a Dask cluster's workers) speaks the caller's language too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import Point, box

from coverage import errors
from coverage.calibration import fit_terms
from coverage.cluster import predict_tiled
from coverage.cluster.tiles import plan_tiles
from coverage.crs import require_crs, utm_crs_for
from coverage.gaps import commune_coverage
from coverage.gaps.masks import check_operator_names
from coverage.grid import Grid
from coverage.i18n import language
from coverage.io.rasters import write_terrain
from coverage.measured_error import matched_points
from coverage.memory import parse_size
from coverage.model import predict, site_path_loss
from coverage.names import find_commune
from coverage.operators import normalise_technology
from coverage.physics.clutter import clutter_loss_db
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.itm.p2p import itm_p2p_loss
from coverage.physics.ranges import check_model_range
from coverage.physics.receiver import measured_power_dbm
from coverage.population import population_from_communes
from coverage.radial.plan import radial_plan
from coverage.terrain import Terrain, check_points_on_terrain

VIETNAMESE = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
CELL = 50.0
SIZE = 61
UTM = "EPSG:32648"


def _terrain(elevation: np.ndarray | None = None) -> Terrain:
    values = np.full((SIZE, SIZE), 200.0) if elevation is None else elevation
    return Terrain.from_array(
        values, transform=Affine(CELL, 0, 500_000, 0, -CELL, 2_500_000), crs=UTM
    )


def _towers(x: float = 501_525.0, y: float = 2_498_475.0, **columns: Any) -> gpd.GeoDataFrame:
    base = {
        "site_id": "LCI001",
        "operator": "Viettel",
        "technology": "4G",
        "frequency_mhz": 1800.0,
        "antenna_height_m": 30.0,
        "eirp_dbm": 60.0,
        "azimuth_deg": np.nan,
        "beamwidth_deg": np.nan,
        "tilt_deg": np.nan,
    }
    return gpd.GeoDataFrame([base | columns], geometry=[Point(x, y)], crs=UTM)


def _both(call: Callable[[], Any], error: type[Exception]) -> tuple[str, str]:
    """The message ``call`` raises in English (the default) and in Vietnamese."""
    with pytest.raises(error) as english:
        call()
    with language("vi"), pytest.raises(error) as vietnamese:
        call()
    return str(english.value), str(vietnamese.value)


def _figures(text: str) -> list[str]:
    """The numbers and quoted names of a message: the same in every language."""
    return sorted(re.findall(r"'[^'\s]*'|-?\d+(?:\.\d+)?", text))


def _is_vietnamese(text: str, english: str) -> None:
    assert VIETNAMESE & set(text.lower()), text
    assert text != english
    assert "\n" not in text


# ------------------------------------------------------------------ one error per module


CASES: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "model": (
        lambda: predict(_towers(), _terrain(), model="okumura"),
        ValueError,
        "unknown model 'okumura'; choose one of ['diffraction', 'fspl', 'hata', 'itm']",
    ),
    "model_columns": (
        lambda: predict(_towers().drop(columns="eirp_dbm"), _terrain(), radius_m=500.0),
        errors.SchemaError,
        "towers lack column(s) ['eirp_dbm']; read the file with coverage.read_towers, which "
        "normalises operator headers and fills documented defaults.",
    ),
    "model_site_range": (
        lambda: predict(_towers(frequency_mhz=2600.0), _terrain(), model="hata", radius_m=500.0),
        errors.ModelRangeError,
        "site LCI001: COST-231 Hata: frequency_mhz = 2600 MHz is outside the published "
        'validity range [150, 2000] MHz. Use model="diffraction" (terrain-aware, no such '
        "range) or bring frequency_mhz into range.",
    ),
    "radial_site": (
        lambda: site_path_loss(
            _terrain(), 400_000.0, 2_498_475.0, tx_height_m=30.0, frequency_mhz=1800.0
        ),
        errors.TerrainError,
        "site 0 at x=400000.0, y=2498475.0 (WGS 84 / UTM zone 48N) is outside the terrain "
        "array (x 500000..503050, y 2496950..2500000); check the site's CRS or open a DEM "
        "that covers it.",
    ),
    "radial_path_loss": (
        lambda: site_path_loss(
            _terrain(),
            501_525.0,
            2_498_475.0,
            tx_height_m=30.0,
            frequency_mhz=1800.0,
            model="hata",
            environment="jungle",
        ),  # fmt: skip
        ValueError,
        "unknown environment 'jungle'; choose one of ['metropolitan', 'open', 'suburban', 'urban']",
    ),
    "radial_itm_grid": (
        lambda: site_path_loss(
            _terrain(),
            501_525.0,
            2_498_475.0,
            tx_height_m=30.0,
            frequency_mhz=1800.0,
            model="itm",
            max_profile_points=2,
        ),  # fmt: skip
        ValueError,
        "max_profile_points=2 is too few for ITM's horizon search; give at least 3 (default 150)",
    ),
    "radial_plan": (
        lambda: radial_plan(0.5),
        ValueError,
        "radius must be at least one cell, got 0.5 cells",
    ),
    "physics_clutter": (
        lambda: clutter_loss_db("jungle", frequency_mhz=900.0),
        ValueError,
        "unknown clutter 'jungle'; expected one of ['dense_urban', 'forest', 'open', 'rural', "
        "'suburban', 'urban']",
    ),
    "physics_receiver": (
        lambda: measured_power_dbm(60.0, "4G", eirp_is="peak"),
        ValueError,
        "eirp_is must be 'total' or 'measured', got 'peak'",
    ),
    "physics_ranges": (
        lambda: check_model_range(
            "hata", frequency_mhz=900.0, base_height_m=300.0, mobile_height_m=1.5
        ),
        errors.ModelRangeError,
        "Okumura-Hata (Hata 1980): base_height_m = 300 m is outside the published validity range "
        '[30, 200] m. Use model="diffraction" (terrain-aware, no such range) or bring '
        "base_height_m into range.",
    ),
    "itm_environment": (
        lambda: ItmEnvironment(n0=100.0),
        errors.ModelRangeError,
        "ITM input n0=100.0 is outside ITM's valid range: 250 to 400 N-units; 301 is ITM's "
        "reference atmosphere",
    ),
    "itm_p2p": (
        lambda: itm_p2p_loss(
            [100.0, 120.0, 110.0], 0.0, h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=900.0
        ),
        errors.ModelRangeError,
        "ITM input step_m=0.0 must be a distance > 0 m",
    ),
    "terrain": (
        lambda: check_points_on_terrain(_terrain(), [400_000.0], [2_498_000.0], labels=["P1"]),
        errors.TerrainError,
        "1 point(s) outside the terrain (P1). The terrain array covers x 500000..503050, "
        "y 2496950..2500000 in EPSG:32648: add DEM tiles that cover these points, or fix "
        "their coordinates.",
    ),
    "terrain_shape": (
        lambda: Terrain.from_array(
            np.zeros(5), transform=Affine(30, 0, 0, 0, -30, 0), crs=UTM, source="dem.tif"
        ),
        errors.TerrainError,
        "dem.tif: elevation must be a 2-D array, got shape (5,).",
    ),
    "grid": (
        lambda: Grid(UTM, Affine(30, 0, 0, 0, -30, 0), (-1, 2)),
        ValueError,
        "a grid's shape must be (rows, cols) >= 0, got (-1, 2).",
    ),
    "crs": (
        lambda: utm_crs_for(200.0, 10.0),
        errors.CRSError,
        "cannot pick a UTM zone for lon=200.0, lat=10.0: outside UTM's range; name a metric "
        "CRS explicitly.",
    ),
    "names": (
        lambda: find_commune(
            gpd.GeoDataFrame({"name": ["Cốc Ly", "Bản Phố"]}, geometry=[Point(0, 0)] * 2),
            "Xyz",
        ),
        errors.CommuneLookupError,
        "no commune named 'Xyz' loosely (case, accents, spacing and prefixes ignored) among 2 "
        "communes. Check the spelling, or whether the file is from before or after the 1 "
        "July 2025 merger (see successor_commune / predecessor_communes).",
    ),
    "operators": (
        lambda: normalise_technology("CDMA"),
        ValueError,
        "'CDMA' is not a known technology (CDMA networks closed in Vietnam in 2012); use "
        "2G/3G/4G/5G or GSM/UMTS/WCDMA/LTE/NR",
    ),
    "cluster": (
        lambda: plan_tiles((10, 10), 0),
        ValueError,
        "tile_size must be at least 1 cell, got 0",
    ),
    "cluster_scheduler": (
        lambda: predict_tiled(_towers(), "nowhere", "out", scheduler="local:0"),
        errors.ClusterError,
        "--scheduler local:0: give at least one worker (local:1, local:2...).",
    ),
    "calibration": (
        lambda: fit_terms(np.array([100.0, 200.0]), np.array([1.0, 2.0])),
        errors.CalibrationError,
        "2 point(s) are too few to fit an offset and a slope.",
    ),
    "measured_error": (
        lambda: matched_points(_towers(), _towers(), model="okumura"),
        ValueError,
        "unknown model 'okumura'; choose one of ['diffraction', 'fspl', 'hata', 'itm']",
    ),
    "gaps": (
        lambda: check_operator_names(["Viettel", "No Operator"]),
        errors.SchemaError,
        "operator name 'No Operator' is reserved for the places no operator covers; rename "
        "that operator in the tower list.",
    ),
    "population": (
        lambda: population_from_communes(
            gpd.GeoDataFrame({"dan_so": [5.0]}, geometry=[box(0, 0, 1, 1)], crs=UTM),
            "people",
            grid=_terrain().grid,
        ),
        errors.SchemaError,
        "communes have no column 'people'; available: dan_so, geometry.",
    ),
    "memory": (
        lambda: parse_size("lots"),
        ValueError,
        "cannot read 'lots' as a size; write a number of bytes with an optional unit, e.g. "
        "2GB or 512MiB.",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_engine_errors_in_english_and_vietnamese(case: str) -> None:
    call, error, old_text = CASES[case]
    english, vietnamese = _both(call, error)
    assert english == old_text
    _is_vietnamese(vietnamese, english)
    assert set(_figures(english)) <= set(_figures(vietnamese))


def test_require_crs_names_the_file_in_both_languages() -> None:
    english, vietnamese = _both(lambda: require_crs(None, source="towers.csv"), errors.CRSError)
    assert english.startswith("towers.csv has no coordinate reference system. Set one")
    assert vietnamese.startswith("towers.csv không có hệ tọa độ (CRS).")
    assert "'EPSG:4326'" in vietnamese and ".prj" in vietnamese


# ------------------------------------------------------------------ warnings and log lines


def test_dem_edge_warning_in_both_languages() -> None:
    towers = _towers(x=500_075.0, y=2_499_925.0)

    def run() -> str:
        with pytest.warns(errors.DemEdgeWarning) as caught:
            predict(towers, _terrain(), radius_m=500.0)
        return str(caught[0].message)

    english = run()
    with language("vi"):
        vietnamese = run()
    assert english == (
        "the 500 m radius of 1 site(s) (LCI001) reaches past the edge of the terrain array; "
        "coverage beyond the DEM is unknown, not absent. Open a DEM that extends the radius "
        "beyond every site."
    )
    assert vietnamese.startswith("bán kính 500 m của 1 trạm (LCI001) vượt quá mép")
    _is_vietnamese(vietnamese, english)


def test_communes_outside_the_grid_warning_in_both_languages() -> None:
    result = predict(_towers(), _terrain(), radius_m=500.0)
    far = gpd.GeoDataFrame(
        {"name": ["Near", "Far"]},
        geometry=[box(500_500, 2_498_000, 501_500, 2_499_000), box(0, 0, 100, 100)],
        crs=UTM,
    )

    def run() -> str:
        with pytest.warns(errors.OutsideGridWarning) as caught:
            commune_coverage(far, result)
        return str(caught[0].message)

    english = run()
    with language("vi"):
        vietnamese = run()
    assert english == (
        "1 of 2 commune(s) lie wholly outside the coverage grid and are not computed "
        "(status 'not computed'); open terrain that covers them."
    )
    assert vietnamese.startswith("1 trên 2 xã nằm hoàn toàn ngoài lưới")


def test_cluster_log_line_in_both_languages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_terrain(_terrain(), tmp_path / "dem.tif")
    bounds = (500_000.0, 2_497_000.0, 503_000.0, 2_500_000.0)
    for lang in ("en", "vi"):
        with language(lang), caplog.at_level(logging.INFO, logger="coverage.cluster.run"):
            predict_tiled(
                _towers(), tmp_path / "dem.tif", tmp_path / lang, tile_size=32, radius_m=500.0,
                bounds=bounds, bounds_crs=UTM,
            )  # fmt: skip
    lines = [r.getMessage() for r in caplog.records if r.name == "coverage.cluster.run"]
    assert lines[0].startswith("wrote 4 tiles of (60, 60) to ")
    assert lines[1].startswith("đã ghi 4 ô lát của (60, 60) vào ")


# ------------------------------------------------------------------ other threads, other processes


def _voided_terrain() -> Terrain:
    """A flat terrain with one unfilled void 5 cells from the site: the site's task refuses it."""
    elevation = np.full((SIZE, SIZE), 200.0)
    elevation[30, 35] = np.nan
    return _terrain(elevation)


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_predict_tasks_speak_the_callers_language(scheduler: str) -> None:
    """A site's task refused in a dask thread or another process: the caller's language."""
    terrain = _voided_terrain()
    with pytest.raises(errors.TerrainError) as english:
        predict(_towers(), terrain, radius_m=500.0, scheduler=scheduler)
    with language("vi"), pytest.raises(errors.TerrainError) as vietnamese:
        predict(_towers(), terrain, radius_m=500.0, scheduler=scheduler)
    assert str(english.value) == (
        "site 0: 1 void (NaN) DEM cells of array lie within the radius; fill voids when "
        "opening the terrain (open_terrain fills them by default) or reduce the radius."
    )
    assert str(vietnamese.value).startswith("trạm 0: 1 ô DEM trống (NaN) của array nằm trong")


@pytest.fixture(scope="module")
def client() -> Any:
    """A LocalCluster of two worker processes, one thread each (as tests/test_cluster.py)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
            env={"NUMBA_NUM_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):  # fmt: skip
        yield connected


def test_cluster_tile_errors_speak_the_callers_language(client: Any, tmp_path: Path) -> None:
    """A tile refused on a worker process is written in the language of the caller."""
    write_terrain(_terrain(), tmp_path / "dem.tif")
    towers = _towers(frequency_mhz=2600.0)  # outside COST-231 Hata's range, refused per tile
    bounds = (500_000.0, 2_497_000.0, 503_000.0, 2_500_000.0)

    def run(out: str) -> str:
        with pytest.raises(errors.ModelRangeError) as caught:
            predict_tiled(
                towers, tmp_path / "dem.tif", tmp_path / out, scheduler=client, tile_size=32,
                radius_m=500.0, model="hata", bounds=bounds, bounds_crs=UTM,
            )  # fmt: skip
        return str(caught.value)

    english = run("en")
    with language("vi"):
        vietnamese = run("vi")
    assert english.startswith("site LCI001: COST-231 Hata: frequency_mhz = 2600 MHz is outside")
    assert vietnamese.startswith("trạm LCI001: COST-231 Hata: frequency_mhz = 2600 MHz nằm ngoài")
    _is_vietnamese(vietnamese, english)
    assert not [p for p in tmp_path.iterdir() if p.name != "dem.tif"]


def test_other_languages_are_untouched_after_an_error() -> None:
    """An error raised under language('vi') does not leave the language set."""
    from coverage.i18n import current_language

    with language("vi"), pytest.raises(ValueError):
        predict(_towers(), _terrain(), model="okumura")
    assert current_language() == "en"
