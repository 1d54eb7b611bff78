"""Build the embedded Lào Cai demo scenario in ``data/communes/`` (seeded, reproducible).

What is real and what is synthetic is spelled out in ``data/communes/README.md``:

* ``laocai_communes.geojson`` - the 99 communes and wards of the new (1 July 2025) Lào Cai
  province: REAL names, official codes, official areas and admin-centre points from the
  MIT-licensed ``vietnamadminunits`` package; APPROXIMATE boundaries (Voronoi cells of the
  centres of the 319 pre-2025 communes, merged by the package's official old->new mapping,
  clipped to an approximate province outline); SYNTHETIC population.
* ``laocai_terrain.tif`` - SYNTHETIC terrain (UTM 48N, int16 metres) with the Hoàng Liên
  Sơn range peaking near Fansipan, the Red River valley through Lào Cai city and seeded
  fractal side valleys.
* ``laocai_towers.csv`` - SYNTHETIC tower sites for Viettel, VinaPhone, MobiFone and
  Vietnamobile, in the Vietnamese operator header style, every radio field filled.
* ``laocai_population.tif`` - SYNTHETIC people per 360 m cell: each commune's ``dan_so``
  spread over its polygon, more in low valleys and near its centre (seeded).

Usage::

    python scripts/make_demo_data.py              # writes data/communes/ (overwrites)
    python scripts/make_demo_data.py --out DIR --seed 20250701
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import shapely
import vietnamadminunits
from affine import Affine
from pyproj import Transformer
from vietnamadminunits.database import query

from coverage.io.files import atomic_output

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "data" / "communes"
DEFAULT_SEED = 20250701
UTM48N = "EPSG:32648"
RESOLUTION_M = 120.0
EXTENT_LONLAT = (103.5, 21.3, 105.2, 22.9)  # the new province and a margin around it
# cells added on every side of that extent (mirrored relief), so that the demo's 15 km
# radius around every site and planning candidate stays on the DEM
PAD_CELLS = 128
POPULATION_CELLS = 3  # population cells are 3 x 3 terrain cells (360 m)
SECTOR_BEAMWIDTH_DEG = 65  # what coverage.operators.RADIO_DEFAULTS gives a sector
SECTOR_TILT_DEG = 3
BOUNDARY_SOURCE = "approximate (Voronoi of commune centres)"
POPULATION_SOURCE = "synthetic (area x seeded density)"
REMOTE_COMMUNES = ("Y Tý", "Mường Hum", "Bảo Nhai", "Lùng Phình")
OPERATORS = {  # sites per operator; Viettel densest
    "Viettel": 150,
    "VinaPhone": 95,
    "MobiFone": 75,
    "Vietnamobile": 30,
}
FANSIPAN_LONLAT = (103.775, 22.303)
LAO_CAI_CITY_LONLAT = (103.97, 22.48)
# the Red River from the China border past Lào Cai city, Bảo Hà and Yên Bái (lon, lat)
RED_RIVER = [
    (103.55, 22.85),
    (103.75, 22.70),
    (103.97, 22.48),
    (104.14, 22.37),
    (104.35, 22.17),
    (104.60, 21.95),
    (104.90, 21.72),
    (105.25, 21.42),
]
# the Hoàng Liên Sơn crest, NW-SE through Fansipan (lon, lat)
HOANG_LIEN_SON = [
    (103.45, 22.72),
    (103.62, 22.52),
    FANSIPAN_LONLAT,
    (103.93, 22.10),
    (104.20, 21.80),
]
# a lower range south-west of it (Mù Cang Chải - Trạm Tấu)
SOUTHWEST_RANGE = [(103.75, 21.95), (104.10, 21.72), (104.45, 21.45)]

_TO_UTM = Transformer.from_crs("EPSG:4326", UTM48N, always_xy=True)


def _utm(points: list[tuple[float, float]]) -> np.ndarray:
    lon, lat = np.array(points, dtype=float).T
    x, y = _TO_UTM.transform(lon, lat)
    return np.column_stack([x, y])


# ------------------------------------------------------------------------------- communes


def read_package_communes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 2025 communes of Lào Cai and the pre-2025 communes merged into them (package data)."""
    new = pd.DataFrame(
        query(
            "SELECT ward, wardShort, wardType, wardCode, wardLat, wardLon, wardAreaKm2, wardKey "
            "FROM admin_units WHERE provinceKey = 'tinhlaocai' ORDER BY wardCode"
        )
    )
    old = pd.DataFrame(
        query(
            "SELECT provinceKey, districtKey, wardKey, ward, wardLat, wardLon "
            "FROM admin_units_legacy WHERE provinceKey IN ('tinhlaocai', 'tinhyenbai')"
        )
    )
    converter = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    mapping = json.loads(converter.read_text(encoding="utf-8"))
    merged_into = {
        old_key: new_key
        for new_key, old_keys in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhlaocai"].items()
        for old_key in old_keys
    }
    old["old_key"] = old["provinceKey"] + "_" + old["districtKey"] + "_" + old["wardKey"]
    old["new_key"] = old["old_key"].map(merged_into)
    if old["new_key"].isna().any() or not set(old["new_key"]) <= set(new["wardKey"]):
        raise RuntimeError("vietnamadminunits: old->new commune mapping incomplete for Lào Cai")
    return new, old


def province_outline(centres_xy: np.ndarray, target_area_m2: float) -> shapely.Geometry:
    """Approximate outline: union of discs around the old commune centres, closed.

    The disc radius is tuned (bisection) so the outline's area equals the official total
    area of the 99 communes.
    """
    points = shapely.points(centres_xy)

    def outline(radius: float) -> shapely.Geometry:
        blob = shapely.union_all(shapely.buffer(points, radius, quad_segs=8))
        return blob.buffer(6000, quad_segs=4).buffer(-6000, quad_segs=4).simplify(150)

    low, high = 2000.0, 20000.0
    for _ in range(30):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if outline(mid).area < target_area_m2 else (low, mid)
    return outline(0.5 * (low + high))


def build_communes(rng: np.random.Generator) -> gpd.GeoDataFrame:
    new, old = read_package_communes()
    old_xy = _utm(list(zip(old["wardLon"], old["wardLat"], strict=True)))
    new_xy = _utm(list(zip(new["wardLon"], new["wardLat"], strict=True)))
    official_m2 = float(new["wardAreaKm2"].sum()) * 1e6
    outline = province_outline(np.vstack([old_xy, new_xy]), official_m2)
    # Voronoi cells of old centres, merged by the official old->new mapping; the new
    # centres join as generators of their own commune so each commune holds its centre
    generators = np.vstack([old_xy, new_xy])
    owner = np.concatenate([old["new_key"].to_numpy(), new["wardKey"].to_numpy()])
    # coincident centres would share one cell: keep one generator per place, the new
    # centre (listed last) winning
    unique = ~pd.DataFrame(np.round(generators)).duplicated(keep="last").to_numpy()
    generators, owner = generators[unique], owner[unique]
    cells = shapely.voronoi_polygons(
        shapely.multipoints(generators), extend_to=outline.buffer(50_000)
    )
    cells = np.asarray(shapely.get_parts(cells))
    cell_of = shapely.STRtree(cells).query(shapely.points(generators), predicate="within")
    order = np.empty(len(generators), dtype=np.intp)
    order[cell_of[0]] = cell_of[1]
    clipped = shapely.intersection(cells[order], outline)
    geometry = []
    for key in new["wardKey"]:
        parts = clipped[owner == key]
        geometry.append(shapely.make_valid(shapely.union_all(parts)))
    area_km2 = np.array([g.area for g in geometry]) / 1e6
    is_ward = new["wardType"].str.lower() == "phường"
    density = np.where(
        is_ward,
        rng.lognormal(math.log(700.0), 0.4, len(new)),
        rng.lognormal(math.log(90.0), 0.45, len(new)),
    )
    remote = new["wardShort"].isin(REMOTE_COMMUNES).to_numpy()
    density = np.where(remote, density * 0.6, density)
    population = np.round(new["wardAreaKm2"].to_numpy() * density).astype(int)
    frame = gpd.GeoDataFrame(
        {
            "ma_xa": new["wardCode"],
            "ten_xa": new["wardShort"],
            "ten_day_du": new["ward"],
            "loai": new["wardType"],
            "dtich_km2": new["wardAreaKm2"].round(2),
            "dtich_xapxi_km2": area_km2.round(1),
            "dan_so": population,
            "matdo_km2": (population / new["wardAreaKm2"]).round(2),
            "kinh_do": new["wardLon"],
            "vi_do": new["wardLat"],
            "boundary_source": BOUNDARY_SOURCE,
            "population_source": POPULATION_SOURCE,
        },
        geometry=geometry,
        crs=UTM48N,
    )
    return frame.to_crs("EPSG:4326")


# -------------------------------------------------------------------------------- terrain


def fractal_noise(rng: np.random.Generator, shape: tuple[int, int], beta: float) -> np.ndarray:
    """Gaussian noise with a power-law spectrum ~ k**-beta, zero mean, unit variance."""
    white = rng.standard_normal(shape)
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.rfftfreq(shape[1])[None, :]
    k = np.hypot(kx, ky)
    k[0, 0] = np.inf
    field = np.fft.irfft2(np.fft.rfft2(white) * k ** (-beta / 2.0), s=shape)
    return (field - field.mean()) / field.std()


def polyline_distance(
    x: np.ndarray, y: np.ndarray, line: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) from points to a polyline, and the along-line position (m) of the foot."""
    best = np.full(x.shape, np.inf)
    along = np.zeros(x.shape)
    start = 0.0
    for (x0, y0), (x1, y1) in zip(line[:-1], line[1:], strict=True):
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        t = np.clip(((x - x0) * dx + (y - y0) * dy) / length**2, 0.0, 1.0)
        dist = np.hypot(x - (x0 + t * dx), y - (y0 + t * dy))
        closer = dist < best
        best = np.where(closer, dist, best)
        along = np.where(closer, start + t * length, along)
        start += length
    return best, along


def build_terrain(rng: np.random.Generator) -> tuple[np.ndarray, Affine]:
    """Synthetic elevation (m, int16) on a UTM 48N grid over the province."""
    corners = _utm(
        [
            (EXTENT_LONLAT[0], EXTENT_LONLAT[1]),
            (EXTENT_LONLAT[0], EXTENT_LONLAT[3]),
            (EXTENT_LONLAT[2], EXTENT_LONLAT[1]),
            (EXTENT_LONLAT[2], EXTENT_LONLAT[3]),
        ]
    )
    left = math.floor(corners[:, 0].min() / 1000) * 1000
    right = math.ceil(corners[:, 0].max() / 1000) * 1000
    bottom = math.floor(corners[:, 1].min() / 1000) * 1000
    top = math.ceil(corners[:, 1].max() / 1000) * 1000
    cols, rows = round((right - left) / RESOLUTION_M), round((top - bottom) / RESOLUTION_M)
    transform = Affine(RESOLUTION_M, 0, left, 0, -RESOLUTION_M, top)
    x = left + (np.arange(cols) + 0.5) * RESOLUTION_M
    y = top - (np.arange(rows) + 0.5) * RESOLUTION_M
    x, y = np.meshgrid(x, y)

    regional = fractal_noise(rng, (rows, cols), beta=3.6)  # broad highlands and basins
    hills = fractal_noise(rng, (rows, cols), beta=2.7)  # spurs and hills, relief-scaled
    channels = fractal_noise(rng, (rows, cols), beta=3.0)  # its zero lines become side valleys
    rough = fractal_noise(rng, (rows, cols), beta=2.4)  # cell-scale texture

    # uplands: 500-1,600 m plateaus, higher to the north-east (Bắc Hà, Si Ma Cai)
    fansipan = _utm([FANSIPAN_LONLAT])[0]
    north_east = np.clip(((x - fansipan[0]) + (y - fansipan[1])) / 150_000.0, -1, 1)
    base = 900.0 + 250.0 * regional + 200.0 * north_east

    # Hoàng Liên Sơn: crest ~2,200 m at its ends, 3,100 m at Fansipan
    dist, along = polyline_distance(x, y, _utm(HOANG_LIEN_SON))
    fansipan_along = polyline_distance(
        np.array([fansipan[0]]), np.array([fansipan[1]]), _utm(HOANG_LIEN_SON)
    )[1][0]
    crest = 2250.0 + 1000.0 * np.exp(-(((along - fansipan_along) / 22_000.0) ** 2))
    hls = (crest - base) * np.exp(-((dist / 9_000.0) ** 2))
    dist_sw, _ = polyline_distance(x, y, _utm(SOUTHWEST_RANGE))
    southwest = 1300.0 * np.exp(-((dist_sw / 12_000.0) ** 2))
    elevation = base + np.maximum(hls, 0.0) + southwest

    # relief in proportion to height; steep side valleys cut up to 50 % of it along the
    # channel noise's zero lines
    elevation = 150.0 + (elevation - 150.0) * (1.0 + 0.2 * hills)
    elevation = 150.0 + (elevation - 150.0) * (1.0 - 0.5 * np.exp(-((channels / 0.3) ** 2)))
    elevation += 12.0 * rough

    # the Red River valley: floor 150 m at the border falling to 100 m downstream
    river = _utm(RED_RIVER)
    dist_river, along_river = polyline_distance(x, y, river)
    river_length = float(np.sum(np.hypot(*np.diff(river, axis=0).T)))
    floor = 150.0 - 50.0 * along_river / river_length
    valley = 1.0 - np.exp(-((dist_river / 7_000.0) ** 2))
    elevation = floor + (elevation - floor) * valley

    # keep 100-3,100 m: soft cap so summits stay peaked, not flat-topped
    high = elevation > 2850.0
    elevation[high] = 2850.0 + 250.0 * np.tanh((elevation[high] - 2850.0) / 250.0)
    elevation = np.clip(elevation, 100.0, 3100.0)
    # the margin: the relief mirrored at the edges (no new random draws, the cells inside
    # stay as they were)
    elevation = np.pad(elevation, PAD_CELLS, mode="reflect")
    transform = transform @ Affine.translation(-PAD_CELLS, -PAD_CELLS)
    return np.round(elevation).astype(np.int16), transform


def write_synthetic_raster(
    values: np.ndarray,
    transform: Affine,
    path: Path,
    *,
    nodata: float,
    description: str,
    band: str,
) -> None:
    """One band, DEFLATE-compressed and tiled, tagged ``synthetic=yes`` with ``description``."""
    rows, cols = values.shape
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": values.dtype.name,
        "crs": UTM48N,
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "zlevel": 9,
        "predictor": 3 if np.issubdtype(values.dtype, np.floating) else 2,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    with atomic_output(path, overwrite=True) as tmp, rasterio.open(tmp, "w", **profile) as dst:
        dst.write(values, 1)
        dst.update_tags(
            synthetic="yes", description=description, generator="scripts/make_demo_data.py"
        )
        dst.set_band_description(1, band)


def write_terrain(elevation: np.ndarray, transform: Affine, path: Path) -> None:
    write_synthetic_raster(
        elevation,
        transform,
        path,
        nodata=-32768,
        description="SYNTHETIC terrain for the phusong Lào Cai demo; not a real DEM",
        band="elevation_m (synthetic)",
    )


# --------------------------------------------------------------------------------- towers


def build_towers(
    rng: np.random.Generator, communes: gpd.GeoDataFrame, elevation: np.ndarray, transform: Affine
) -> pd.DataFrame:
    """Synthetic sites: clustered at commune centres and towns, along the Red River valley,
    thin on high ground and deliberately sparse in the four remote communes."""
    utm = communes.to_crs(UTM48N)
    centres = _utm(list(zip(communes["kinh_do"], communes["vi_do"], strict=True)))
    is_ward = (communes["loai"].str.lower() == "phường").to_numpy()
    remote = communes["ten_xa"].isin(REMOTE_COMMUNES).to_numpy()
    weight = np.where(is_ward, 4.0, 1.0) * np.sqrt(communes["dan_so"].to_numpy() / 5000.0)
    weight[remote] = 0.0
    weight /= weight.sum()
    remote_area = shapely.union_all(utm.geometry[remote].buffer(1500).to_numpy())
    province = shapely.union_all(utm.geometry.to_numpy())
    river = _utm(RED_RIVER)
    rows, cols = elevation.shape
    inverse = ~transform

    def ground(x: float, y: float) -> float:
        col, row = inverse @ (x, y)
        return float(elevation[min(rows - 1, int(row)), min(cols - 1, int(col))])

    records = []
    for operator, count in OPERATORS.items():
        code = {"Viettel": "VTL", "VinaPhone": "VNP", "MobiFone": "MBF", "Vietnamobile": "VNM"}[
            operator
        ]
        sites: list[tuple[float, float]] = []
        if operator == "Viettel":  # one lonely site at each remote commune's centre
            sites += [tuple(c) for c in centres[remote]]
        while len(sites) < count:
            if rng.random() < 0.3:  # along the valley road and railway
                segment = rng.integers(len(river) - 1)
                t = rng.random()
                x, y = river[segment] + t * (river[segment + 1] - river[segment])
                x, y = x + rng.normal(0, 2500), y + rng.normal(0, 2500)
            else:  # around a commune centre
                i = rng.choice(len(centres), p=weight)
                spread = 1500.0 if is_ward[i] else 4000.0
                x, y = centres[i] + rng.normal(0, spread, 2)
            point = shapely.Point(x, y)
            if not province.contains(point) or remote_area.contains(point):
                continue
            z = ground(x, y)
            if z > 2000.0 and rng.random() < 0.85:  # few sites on the high ridges
                continue
            sites.append((x, y))
        for number, (x, y) in enumerate(sites, start=1):
            lon, lat = _TO_UTM.transform(x, y, direction="INVERSE")
            if operator == "Viettel" and rng.random() < 0.25:
                technology, frequency, eirp = "2G", 900, rng.uniform(55.0, 58.0)
            elif operator in ("VinaPhone", "MobiFone") and rng.random() < 0.3:
                technology, frequency, eirp = "4G", 2100, rng.uniform(57.0, 61.0)
            else:
                technology, frequency, eirp = "4G", 1800, rng.uniform(58.0, 62.0)
            records.append(
                {
                    "Mã trạm": f"{code}-LCI-{number:04d}",
                    "Nhà mạng": operator,
                    "Kinh độ": round(float(lon), 6),
                    "Vĩ độ": round(float(lat), 6),
                    "Độ cao anten": int(rng.choice([20, 25, 30, 35, 40, 45])),
                    "Công nghệ": technology,
                    "Tần số (MHz)": frequency,
                    "EIRP (dBm)": round(float(eirp), 1),
                    "Hướng (độ)": int(rng.integers(0, 360)),
                    "Độ rộng búp sóng (độ)": SECTOR_BEAMWIDTH_DEG,
                    "Góc nghiêng (độ)": SECTOR_TILT_DEG,
                }
            )
    return pd.DataFrame.from_records(records)


# ----------------------------------------------------------------------------- population


def build_population(
    rng: np.random.Generator, communes: gpd.GeoDataFrame, elevation: np.ndarray, transform: Affine
) -> tuple[np.ndarray, Affine]:
    """Synthetic people per cell (float32, 3 x 3 terrain cells): each commune's ``dan_so``.

    Within a commune (the cells whose centre it holds; a commune holding none gets its
    people at its admin centre), the weight of a cell is ``exp(-(z - z_min) / 400 m) *
    (0.2 + exp(-d / 3 km)) * lognormal(0, 0.6)``: people live low in the valleys and near
    the commune centre. The weights are scaled so that each commune's cells add up to its
    ``dan_so`` exactly (to float32 rounding).
    """
    step = POPULATION_CELLS
    rows, cols = elevation.shape[0] // step, elevation.shape[1] // step
    ground = elevation[: rows * step, : cols * step].astype(float)
    ground = ground.reshape(rows, step, cols, step).mean(axis=(1, 3))
    grid = transform @ Affine.scale(step)
    utm = communes.to_crs(UTM48N)
    owner = rasterio.features.rasterize(
        ((geometry, i + 1) for i, geometry in enumerate(utm.geometry)),
        out_shape=(rows, cols),
        transform=grid,
        fill=0,
        dtype="int32",
    )
    x = grid.c + (np.arange(cols) + 0.5) * grid.a
    y = grid.f + (np.arange(rows) + 0.5) * grid.e
    x, y = np.meshgrid(x, y)
    noise = rng.lognormal(0.0, 0.6, (rows, cols))
    centres = _utm(list(zip(communes["kinh_do"], communes["vi_do"], strict=True)))
    people = np.zeros((rows, cols), dtype=np.float64)
    inverse = ~grid
    for i, total in enumerate(communes["dan_so"].to_numpy(dtype=float)):
        inside = owner == i + 1
        if not inside.any():
            col, row = inverse @ tuple(centres[i])
            people[int(row), int(col)] += total
            continue
        low = ground[inside] - ground[inside].min()
        distance = np.hypot(x[inside] - centres[i][0], y[inside] - centres[i][1])
        weight = np.exp(-low / 400.0) * (0.2 + np.exp(-distance / 3000.0)) * noise[inside]
        people[inside] += total * weight / weight.sum()
    return people.astype(np.float32), grid


def write_population(people: np.ndarray, transform: Affine, path: Path) -> None:
    write_synthetic_raster(
        people,
        transform,
        path,
        nodata=-99999.0,
        description="SYNTHETIC population for the phusong Lào Cai demo: each commune's dan_so "
        "spread toward its valleys and centre; not a census or WorldPop",
        band="people per cell (synthetic)",
    )


# ----------------------------------------------------------------------------------- main


def make_demo_data(out_dir: Path = DEFAULT_OUT, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the four demo files into ``out_dir``; return their paths by dataset name."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    communes = build_communes(np.random.default_rng(rng.integers(2**32)))
    elevation, transform = build_terrain(np.random.default_rng(rng.integers(2**32)))
    towers = build_towers(
        np.random.default_rng(rng.integers(2**32)), communes, elevation, transform
    )
    people, population_grid = build_population(
        np.random.default_rng(rng.integers(2**32)), communes, elevation, transform
    )
    paths = {
        "laocai_communes": out_dir / "laocai_communes.geojson",
        "laocai_terrain": out_dir / "laocai_terrain.tif",
        "laocai_towers": out_dir / "laocai_towers.csv",
        "laocai_population": out_dir / "laocai_population.tif",
    }
    with atomic_output(paths["laocai_communes"], overwrite=True) as tmp:
        communes.to_file(
            tmp, driver="GeoJSON", engine="pyogrio", layer="laocai_communes", COORDINATE_PRECISION=5
        )
    write_terrain(elevation, transform, paths["laocai_terrain"])
    with atomic_output(paths["laocai_towers"], overwrite=True) as tmp:
        towers.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    write_population(people, population_grid, paths["laocai_population"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args()
    for name, path in make_demo_data(args.out, seed=args.seed).items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
