"""Shared fixtures: the real Lào Cai data in ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import box

from coverage.crs import transform_xy

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def _shared(sub: str) -> Path:
    folder = SHARED_DATA / sub
    if not folder.is_dir():
        pytest.skip(
            f"real test data not found: expected ../shared/data/{sub} beside the repository "
            "(CI always has it; developers can copy the project's shared folder there)"
        )
    return folder


@pytest.fixture(scope="session")
def laocai_dir() -> Path:
    """../shared/data/laocai: real communes, WorldPop, coarse DEM."""
    return _shared("laocai")


@pytest.fixture(scope="session")
def itm_reference_dir() -> Path:
    """../shared/data/itm-reference: NTIA ITM conformance cases."""
    return _shared("itm-reference")


@pytest.fixture(scope="session")
def measurements_dir() -> Path:
    """../shared/data/measurements: real drive-test path losses."""
    return _shared("measurements")


ORIGIN_X, ORIGIN_Y, CELL, SIZE = 380_000.0, 2_520_000.0, 60.0, 300  # 18 km square, UTM 48N


@pytest.fixture(scope="session")
def small_scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An 18 km synthetic DEM (UTM 48N), four communes in its middle, three towers: files."""
    folder = tmp_path_factory.mktemp("scenario")
    rng = np.random.default_rng(7)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    elevation = (
        800 + 400 * np.sin(cols / 25.0) * np.cos(rows / 31.0) + rng.normal(0, 5, (SIZE, SIZE))
    )
    dem = folder / "dem.tif"
    with rasterio.open(
        dem,
        "w",
        driver="GTiff",
        width=SIZE,
        height=SIZE,
        count=1,
        dtype="float32",
        crs="EPSG:32648",
        transform=Affine(CELL, 0, ORIGIN_X, 0, -CELL, ORIGIN_Y),
    ) as dst:
        dst.write(elevation.astype("float32"), 1)
    half, inset = 6000.0, 3000.0  # four 6 km communes in the middle
    cells = [
        box(
            ORIGIN_X + inset + i * half,
            ORIGIN_Y - inset - (j + 1) * half,
            ORIGIN_X + inset + (i + 1) * half,
            ORIGIN_Y - inset - j * half,
        )
        for j in range(2)
        for i in range(2)
    ]
    communes = gpd.GeoDataFrame(
        {
            "ma_xa": ["001", "002", "003", "004"],
            "ten_xa": ["Y Tý", "A Mú Sung", "Mường Hum", "Bát Xát"],
            "dan_so": [4000, 3000, 5000, 9000],
        },
        geometry=cells,
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")
    communes_path = folder / "communes.geojson"
    communes.to_file(communes_path)
    xs = ORIGIN_X + np.array([7000.0, 11000.0, 9000.0])
    ys = ORIGIN_Y - np.array([7500.0, 8000.0, 12000.0])
    lon, lat = transform_xy("EPSG:32648", "EPSG:4326", xs, ys)
    towers = folder / "towers.csv"
    towers.write_text(
        "Mã trạm,Nhà mạng,Kinh độ,Vĩ độ,Độ cao anten,Công nghệ,Tần số (MHz),EIRP (dBm),Hướng (độ),Độ rộng búp sóng,Góc nghiêng\n"
        + "".join(
            f"S{i},{op},{lo:.6f},{la:.6f},30,4G,1800,60,,360,0\n"
            for i, (op, lo, la) in enumerate(
                zip(["Viettel", "Viettel", "MobiFone"], lon, lat, strict=True)
            )
        ),
        encoding="utf-8",
    )
    return {"dem": dem, "communes": communes_path, "towers": towers, "lon": lon, "lat": lat}
