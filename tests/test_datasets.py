"""The embedded Lào Cai demo: files found by name, reproducible, plausible, honestly labelled."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio

from coverage.crs import transform_xy
from coverage.datasets import DatasetError, available, data_dir, get_path, laocai_demo
from coverage.io.terrain import open_terrain

REPO = Path(__file__).resolve().parents[1]
TOWER_HEADER = [
    "Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ", "Độ cao anten", "Công nghệ", "Tần số (MHz)",
    "EIRP (dBm)", "Hướng (độ)", "Độ rộng búp sóng (độ)", "Góc nghiêng (độ)",
]  # fmt: skip
REMOTE = ["Y Tý", "Mường Hum", "Bảo Nhai", "Lùng Phình"]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_demo_data", REPO / "scripts" / "make_demo_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, Path]:
    generator = load_generator()
    return generator.make_demo_data(tmp_path_factory.mktemp("demo"), seed=generator.DEFAULT_SEED)


def test_names_and_paths() -> None:
    assert available() == [
        "laocai_communes", "laocai_population", "laocai_terrain", "laocai_towers"
    ]  # fmt: skip
    for name in available():
        path = get_path(name)
        assert path.is_file() and path.parent == data_dir()
    with pytest.raises(DatasetError, match="unknown dataset 'laocai'; available: laocai_communes"):
        get_path("laocai")
    with pytest.raises(KeyError):
        get_path("nope")


def test_editable_install_reads_the_repository_folder() -> None:
    """`make setup` installs in editable mode: the files are data/communes/ itself, no copy."""
    assert data_dir() == REPO / "data" / "communes"


def test_demo_scenario_says_what_is_synthetic() -> None:
    demo = laocai_demo()
    assert demo.communes == get_path("laocai_communes")
    assert "SYNTHETIC" in demo.synthetic["terrain"] and "SYNTHETIC" in demo.synthetic["towers"]
    assert "APPROXIMATE" in demo.synthetic["communes"]
    assert "SYNTHETIC" in demo.caption()
    with pytest.raises(AttributeError):
        demo.terrain = Path("x")  # type: ignore[misc]


def test_committed_data_is_small_and_documented() -> None:
    total = sum(p.stat().st_size for p in data_dir().iterdir() if p.is_file())
    assert total < 5e6
    readme = (data_dir() / "README.md").read_text(encoding="utf-8")
    for name in available():
        assert get_path(name).name in readme
    assert "python scripts/make_demo_data.py" in readme


def test_regenerating_reproduces_the_committed_files(regenerated: dict[str, Path]) -> None:
    with (
        rasterio.open(regenerated["laocai_terrain"]) as new,
        rasterio.open(get_path("laocai_terrain")) as old,
    ):
        np.testing.assert_array_equal(new.read(1), old.read(1))
        assert new.transform == old.transform and new.crs == old.crs
    pd.testing.assert_frame_equal(
        pd.read_csv(regenerated["laocai_towers"]), pd.read_csv(get_path("laocai_towers"))
    )
    with (
        rasterio.open(regenerated["laocai_population"]) as new,
        rasterio.open(get_path("laocai_population")) as old,
    ):
        np.testing.assert_array_equal(new.read(1), old.read(1))
        assert new.transform == old.transform and new.tags() == old.tags()
    new_communes = gpd.read_file(regenerated["laocai_communes"])
    old_communes = gpd.read_file(get_path("laocai_communes"))
    pd.testing.assert_frame_equal(
        new_communes.drop(columns="geometry"), old_communes.drop(columns="geometry")
    )
    assert new_communes.geom_equals_exact(old_communes, tolerance=1e-6).all()


def test_another_seed_gives_other_terrain_and_towers(tmp_path: Path) -> None:
    generator = load_generator()
    rng = np.random.default_rng(1)
    elevation, _ = generator.build_terrain(rng)
    with rasterio.open(get_path("laocai_terrain")) as src:
        assert not np.array_equal(elevation, src.read(1))


def test_terrain_is_plausible_lao_cai() -> None:
    with rasterio.open(get_path("laocai_terrain")) as src:
        assert src.crs.to_epsg() == 32648 and src.dtypes[0] == "int16"
        assert src.profile["compress"] == "deflate"
        assert 90 <= src.res[0] == src.res[1] <= 150
    terrain = open_terrain(get_path("laocai_terrain"))  # no warning: fine enough, no voids
    z = terrain.elevation_m
    assert z.min() >= 100 and z.max() <= 3100 and z.max() > 2900
    assert not terrain.void_mask.any()
    lon = np.array([103.775, 103.97, 104.90])  # Fansipan, Lào Cai city, Yên Bái
    lat = np.array([22.303, 22.48, 21.72])
    fansipan, city, yen_bai = terrain.sample(*transform_xy("EPSG:4326", terrain.crs, lon, lat))
    assert fansipan > 2800 and city < 200 and yen_bai < 200
    # the summit is near Fansipan
    row, col = np.unravel_index(np.argmax(z), z.shape)
    x, y = terrain.xy(row, col)
    peak_lon, peak_lat = transform_xy(terrain.crs, "EPSG:4326", [x], [y])
    assert abs(peak_lon[0] - 103.775) < 0.1 and abs(peak_lat[0] - 22.303) < 0.1


def test_communes_are_the_real_99_with_labelled_sources() -> None:
    communes = gpd.read_file(get_path("laocai_communes"))
    assert len(communes) == 99 and communes.crs.to_epsg() == 4326
    assert communes["ma_xa"].str.fullmatch(r"\d{5}").all() and communes["ma_xa"].is_unique
    assert set(communes["loai"]) == {"Xã", "Phường"}
    assert set(REMOTE) <= set(communes["ten_xa"])
    assert (communes["boundary_source"] == "approximate (Voronoi of commune centres)").all()
    assert communes["population_source"].str.startswith("synthetic").all()
    assert communes.is_valid.all()
    centres = gpd.points_from_xy(communes["kinh_do"], communes["vi_do"], crs="EPSG:4326")
    assert communes.geometry.contains(gpd.GeoSeries(centres, index=communes.index)).all()
    # the approximate province has the official total area within 5 %
    area_km2 = communes.to_crs("EPSG:32648").area.sum() / 1e6
    assert area_km2 == pytest.approx(communes["dtich_km2"].sum(), rel=0.05)


def test_towers_follow_the_operator_header_and_leave_gaps() -> None:
    towers = pd.read_csv(get_path("laocai_towers"))
    assert list(towers.columns) == TOWER_HEADER
    assert towers["Mã trạm"].is_unique and 200 <= len(towers) <= 600
    counts = towers["Nhà mạng"].value_counts()
    assert set(counts.index) == {"Viettel", "VinaPhone", "MobiFone", "Vietnamobile"}
    assert counts.idxmax() == "Viettel"
    communes = gpd.read_file(get_path("laocai_communes"))
    points = gpd.GeoDataFrame(
        towers, geometry=gpd.points_from_xy(towers["Kinh độ"], towers["Vĩ độ"]), crs="EPSG:4326"
    )
    joined = gpd.sjoin(points, communes[["ten_xa", "geometry"]], predicate="within")
    assert len(joined) == len(towers)  # every site inside exactly one commune
    per_commune = joined["ten_xa"].value_counts()
    for name in REMOTE:
        assert per_commune.get(name, 0) <= 1, name
    assert per_commune.get("Lào Cai", 0) >= 5


def test_towers_fill_every_radio_field_with_what_the_defaults_gave() -> None:
    """No field is left to defaults (the demo would warn): sectors of 65 degrees, 3 degrees tilt."""
    from coverage.io.towers import read_towers
    from coverage.operators import RADIO_DEFAULTS

    towers = read_towers(get_path("laocai_towers"))
    for technology, rows in towers.groupby("technology"):
        assert (rows["beamwidth_deg"] == RADIO_DEFAULTS[technology].beamwidth_deg).all()
        assert (rows["tilt_deg"] == RADIO_DEFAULTS[technology].tilt_deg).all()


def test_terrain_reaches_the_demo_radius_beyond_every_site_and_candidate() -> None:
    """Towers, and plan candidates (in the communes, one candidate spacing around them), stay
    a whole radius inside the DEM: the demo computes nothing cut at its edge."""
    from coverage.demo import PLAN_SPACING_M

    radius = laocai_demo().radius_m
    with rasterio.open(get_path("laocai_terrain")) as src:
        left, bottom, right, top = src.bounds
        cell = src.res[0]
    from shapely.geometry import box

    inner = box(
        left + radius + cell, bottom + radius + cell, right - radius - cell, top - radius - cell
    )
    communes = gpd.read_file(get_path("laocai_communes")).to_crs(32648)
    towers = pd.read_csv(get_path("laocai_towers"))
    sites = gpd.GeoSeries.from_xy(towers["Kinh độ"], towers["Vĩ độ"], crs=4326).to_crs(32648)
    assert sites.within(inner).all()
    assert communes.union_all().buffer(PLAN_SPACING_M).within(inner)


def test_population_raster_holds_each_communes_people_and_says_it_is_synthetic() -> None:
    from rasterio.features import rasterize

    communes = gpd.read_file(get_path("laocai_communes")).to_crs(32648)
    with rasterio.open(get_path("laocai_population")) as src:
        people = src.read(1)
        assert src.tags()["synthetic"] == "yes" and "SYNTHETIC" in src.tags()["description"]
        assert "synthetic" in src.descriptions[0]
        owner = rasterize(
            ((g, i + 1) for i, g in enumerate(communes.geometry)),
            out_shape=src.shape, transform=src.transform, fill=0, dtype="int32",
        )  # fmt: skip
    assert people.min() >= 0
    assert people.sum(dtype=float) == pytest.approx(communes["dan_so"].sum(), rel=1e-5)
    sums = np.bincount(owner.ravel(), weights=people.ravel(), minlength=len(communes) + 1)[1:]
    # a commune too small to hold a cell centre has its people in its centre's cell, which
    # another commune holds: that one's sum is off by them (at most 0.1 %)
    held = sums > 0
    np.testing.assert_allclose(sums[held], communes["dan_so"].to_numpy()[held], rtol=1e-3)
    assert held.mean() > 0.95
    assert "SYNTHETIC" in laocai_demo().synthetic["population"]
