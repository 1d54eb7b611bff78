"""Benchmark: a province-sized coverage map, its file size and load time in headless Chromium.

Scenario: the embedded Lào Cai demo (99 communes, 350 synthetic towers, synthetic terrain,
:mod:`coverage.datasets`) on a 100 m working grid. The coverage rasters are a display-only
stand-in (log-distance power from every tower, 8 operator/technology layers): this measures
the map, not the radio model.

Peer, in the same run: the same layers drawn with stock folium classes (``GeoJson`` +
``GeoJsonTooltip``, ``ImageOverlay`` with ``mercator_project``, ``MarkerCluster`` of
``Marker`` + ``Popup``) and written by folium's own ``Map.save`` (CDN links). To time it
without a network, its CDN requests are answered from our vendored copies where one exists
(Leaflet, markercluster, fullscreen, measure) and refused otherwise (jQuery, Bootstrap,
Font Awesome): a best case for the peer, with zero network latency.

Targets: our offline file < 15 MB, loaded (map drawn, images decoded) in < 5 s.

Run: ``python benchmarks/bench_map.py [--cell-m 100] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import warnings
from pathlib import Path

import folium
import folium.plugins
import numpy as np
import pandas as pd
from affine import Affine

from coverage.crs import utm_crs_for
from coverage.datasets import laocai_demo
from coverage.errors import DefaultsUsedWarning
from coverage.gaps import commune_coverage, gap_polygons
from coverage.io.communes import read_communes
from coverage.io.towers import read_towers
from coverage.model import CoverageResult
from coverage.population import population_from_communes
from coverage.render import coverage_map, save_map
from coverage.render_offline import ASSETS
from coverage.terrain import open_terrain

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
THRESHOLDS = {"2G": -100.0, "3G": -105.0, "4G": -110.0, "5G": -110.0}


def scenario(cell_m: float) -> dict:
    """Demo communes, towers and terrain; stand-in coverage; real commune stats and gaps."""
    demo = laocai_demo()
    communes = read_communes(demo.communes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultsUsedWarning)
        towers = read_towers(demo.towers)
    west, south, east, north = communes.total_bounds
    crs = utm_crs_for((west + east) / 2, (south + north) / 2)
    terrain = open_terrain(demo.terrain, crs=crs, resolution_m=cell_m)
    towers_w = towers.to_crs(crs)
    left, bottom, right, top = communes.to_crs(crs).total_bounds
    cols, rows = math.ceil((right - left) / cell_m), math.ceil((top - bottom) / cell_m)
    transform = Affine(cell_m, 0, left, 0, -cell_m, top)
    x = left + (np.arange(cols) + 0.5) * cell_m
    y = top - (np.arange(rows) + 0.5) * cell_m
    layers = (
        towers[["operator", "technology"]].drop_duplicates().sort_values(["operator", "technology"])
    )
    layers = layers.assign(threshold_dbm=layers["technology"].map(THRESHOLDS).fillna(-110.0))
    layers = layers.reset_index(drop=True)
    power = np.full((len(layers), rows, cols), np.nan, dtype=np.float32)
    serving = np.full(power.shape, -1, dtype=np.int32)
    for k, (point, op, tech, eirp) in enumerate(
        zip(
            towers_w.geometry,
            towers_w["operator"],
            towers_w["technology"],
            towers_w["eirp_dbm"],
            strict=True,
        )  # fmt: skip
    ):
        layer = int(np.flatnonzero((layers.operator == op) & (layers.technology == tech))[0])
        c0, c1 = np.searchsorted(x, [point.x - 15_000, point.x + 15_000])
        r0, r1 = np.searchsorted(-y, [-(point.y + 15_000), -(point.y - 15_000)])
        dx = x[c0:c1][None, :] - point.x
        dy = y[r0:r1][:, None] - point.y
        distance_km = np.maximum(np.hypot(dx, dy) / 1000.0, 0.05)
        received = (eirp - 128.0 - 37.6 * np.log10(distance_km)).astype(np.float32)
        window = power[layer, r0:r1, c0:c1]
        better = ~(received <= window)  # NaN in window counts as better
        window[better] = received[better]
        serving[layer, r0:r1, c0:c1][better] = k
    result = CoverageResult(power, serving, layers, np.zeros((rows, cols), np.uint8), transform,
                            crs, towers_w, model="log-distance stand-in")  # fmt: skip
    population = population_from_communes(
        communes, "dan_so", transform=transform, crs=crs, shape=(rows, cols)
    )
    stats = commune_coverage(communes, result, population=population)
    gaps = gap_polygons(result, communes=communes, population=population)
    return {"communes": stats, "result": result, "gaps": gaps, "towers": towers,
            "terrain": terrain, "synthetic": demo.synthetic}  # fmt: skip


def plain_folium_map(s: dict) -> folium.Map:
    """The peer: the same content with stock folium classes and defaults."""
    communes = s["communes"].to_crs("EPSG:4326")
    west, south, east, north = communes.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9)
    fields = ["name", "commune_id", "population", "uncovered_population_any"]
    folium.GeoJson(
        communes[[*fields, "geometry"]],
        name="communes",
        tooltip=folium.GeoJsonTooltip(fields=fields),
    ).add_to(m)
    result = s["result"]
    power = np.fmax.reduce(np.where(result.covered, result.best_power_dbm, np.nan), axis=0)
    image = power.copy()
    image[np.isnan(image)] = -140
    latlon = result.towers.to_crs("EPSG:4326").total_bounds  # rough extent for the peer
    folium.raster_layers.ImageOverlay(
        (np.clip((image + 140) / 80, 0, 1) * 255).astype(np.uint8),
        bounds=[[latlon[1], latlon[0]], [latlon[3], latlon[2]]],
        mercator_project=True,
        opacity=0.6,
        name="signal",
    ).add_to(m)
    folium.GeoJson(
        s["gaps"].to_crs("EPSG:4326")[["rank", "people", "geometry"]], name="gaps"
    ).add_to(m)
    cluster = folium.plugins.MarkerCluster(name="towers").add_to(m)
    for _, row in s["towers"].iterrows():
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(f"{row.site_id} {row.operator} {row.technology}"),
        ).add_to(cluster)
    folium.LayerControl().add_to(m)
    return m


def load_seconds(path: Path, *, repeats: int = 3) -> tuple[float, int]:
    """Median seconds from navigation to a drawn map with decoded images; JS errors seen."""
    from playwright.sync_api import sync_playwright

    vendored = {asset.path.rsplit("/", 1)[-1]: asset for asset in ASSETS.values()}

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
            return
        name = url.rsplit("/", 1)[-1]
        if name.startswith("jquery"):
            name = "jquery.min.js"
        asset = vendored.get(name) or vendored.get(name.replace(".min.js", ".js"))
        if asset is None:
            r.abort()
        else:
            kind = "text/css" if asset.kind == "css" else "application/javascript"
            r.fulfill(body=asset.text(), content_type=kind)

    times, errors = [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(repeats):
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            seen: list[str] = []
            page.on("pageerror", lambda exc, seen=seen: seen.append(str(exc)))
            page.route("**/*", route)
            start = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load", timeout=60_000)
            page.wait_for_selector(".leaflet-control-layers", timeout=60_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('img.leaflet-image-layer')]"
                ".every(i => i.complete)",
                timeout=60_000,
            )
            times.append(time.perf_counter() - start)
            errors = max(errors, len(seen))
            page.close()
        browser.close()
    return float(np.median(times)), errors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-m", type=float, default=100.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_map_"))
    out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    s = scenario(args.cell_m)
    rows, cols = s["result"].shape
    print(f"scenario: {len(s['communes'])} communes, {len(s['towers'])} towers, "
          f"{len(s['result'].layers)} layers on {rows}x{cols} cells of {args.cell_m:.0f} m, "
          f"{len(s['gaps'])} gap pieces ({time.perf_counter() - t0:.1f} s)")  # fmt: skip

    t0 = time.perf_counter()
    m = coverage_map(s["communes"], s["result"], s["gaps"], s["towers"], terrain=s["terrain"],
                     focus_commune="Y Tý", communes_of_interest=["Mường Hum", "Y Tý"],
                     synthetic_inputs=["terrain", "towers", "population"], offline=True,
                     attribution={"Communes": "vietnamadminunits (MIT), approximate boundaries"})  # fmt: skip
    build_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = save_map(m, out / "phusong_offline.html", offline=True, overwrite=True)
    save_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    peer_map = plain_folium_map(s)
    build_peer = time.perf_counter() - t0
    peer = out / "folium_plain_online.html"
    t0 = time.perf_counter()
    peer_map.save(str(peer))
    save_peer = time.perf_counter() - t0

    rows_out = []
    for label, path, build, save in (
        ("phusong offline (this)", ours, build_ours, save_ours),
        ("plain folium online (peer)", peer, build_peer, save_peer),
    ):
        seconds, errors = load_seconds(path) if Path(CHROMIUM).exists() else (math.nan, 0)
        rows_out.append({"map": label, "size_MB": path.stat().st_size / 1e6, "build_s": build,
                         "save_s": save, "load_s": seconds, "js_errors": errors})  # fmt: skip
    table = pd.DataFrame(rows_out).set_index("map")
    print(table.round(2).to_string())
    size_ok = table.loc["phusong offline (this)", "size_MB"] < 15
    load_ok = table.loc["phusong offline (this)", "load_s"] < 5
    print(f"targets: size < 15 MB {'OK' if size_ok else 'MISSED'}; "
          f"load < 5 s {'OK' if load_ok else 'MISSED'}; files in {out}")  # fmt: skip


if __name__ == "__main__":
    main()
