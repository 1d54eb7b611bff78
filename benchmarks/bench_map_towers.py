"""Benchmark: a map of 100,000 towers, its file size and load time, before and after thinning.

Scenario: the demo's province map (:mod:`benchmarks.bench_map`: the embedded Lào Cai
analysis, offline) with 100,000 synthetic towers spread over the province's communes
instead of the demo's few.

Compared in the same run, each saved to a file:

* ours (this): beyond :data:`coverage.render.layers.TOWER_MARKER_LIMIT` towers are plain
  dots on one canvas from compact columns, no sector wedges, a note on the map;
* ours before thinning: the same map with the limit lifted (a clustered marker with its
  own icon and popup HTML per tower, and a sector wedge for each sectored tower);
* the peer, plain folium with the same layers (:func:`benchmarks.bench_map.plain_folium_map`:
  a ``MarkerCluster`` of one ``Marker`` + ``Popup`` per tower, CDN links).

Target (issue 12): the 100,000-tower map well under the 171 MB it was, and saying it is thinned.

Run: ``python -m benchmarks map_towers``.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import coverage.render.layers as layers
from benchmarks.bench_map import CHROMIUM, load_seconds, phusong_map, plain_folium_map, scenario
from coverage.render.map import save_map

N_TOWERS = 100_000


def many_towers(communes: gpd.GeoDataFrame, n: int = N_TOWERS) -> gpd.GeoDataFrame:
    """``n`` towers at random points of the communes' box, three operators, half sectored."""
    rng = np.random.default_rng(12)
    west, south, east, north = communes.to_crs("EPSG:4326").total_bounds
    operators = np.array(["Viettel", "VinaPhone", "MobiFone"])
    return gpd.GeoDataFrame(
        {
            "site_id": [f"LC-{i:06d}" for i in range(n)],
            "operator": operators[rng.integers(0, 3, n)],
            "technology": np.array(["2G", "3G", "4G"])[rng.integers(0, 3, n)],
            "frequency_mhz": 900.0,
            "antenna_height_m": 30.0,
            "eirp_dbm": 58.0,
            "azimuth_deg": np.where(rng.random(n) < 0.5, rng.uniform(0, 360, n), np.nan),
            "beamwidth_deg": 65.0,
        },
        geometry=gpd.points_from_xy(rng.uniform(west, east, n), rng.uniform(south, north, n)),
        crs="EPSG:4326",
    )


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="bench_map_towers_"))
    s = scenario()
    s["towers"] = many_towers(s["analysis"].communes)
    rows = []

    def measure(label: str, build, save) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        m = build()
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        path = save(m)
        saved = time.perf_counter() - t0
        seconds, errors = (
            load_seconds(path, repeats=1) if Path(CHROMIUM).exists() else (math.nan, 0)
        )
        rows.append({"map": label, "size_MB": path.stat().st_size / 1e6, "build_s": built,
                     "save_s": saved, "load_s": seconds, "js_errors": errors})  # fmt: skip

    def ours(name: str):  # type: ignore[no-untyped-def]
        return lambda m: save_map(m, out / name, offline=True, overwrite=True)

    measure("phusong, thinned (this)", lambda: phusong_map(s), ours("thinned.html"))
    limit = layers.TOWER_MARKER_LIMIT
    layers.TOWER_MARKER_LIMIT = 10**9
    try:
        measure(
            "phusong, a marker per tower (before)", lambda: phusong_map(s), ours("markers.html")
        )
    finally:
        layers.TOWER_MARKER_LIMIT = limit

    def peer_save(m) -> Path:  # type: ignore[no-untyped-def]
        m.save(str(out / "folium.html"))
        return out / "folium.html"

    measure("plain folium (peer)", lambda: plain_folium_map(s), peer_save)
    table = pd.DataFrame(rows).set_index("map")
    print(f"{N_TOWERS:,} towers on the demo's province map")
    print(table.round(2).to_string())
    this = table.loc["phusong, thinned (this)", "size_MB"]
    for other in ("phusong, a marker per tower (before)", "plain folium (peer)"):
        print(f"size: {table.loc[other, 'size_MB'] / this:.1f}x smaller than {other}")
    print(f"files in {out}")


if __name__ == "__main__":
    main()
