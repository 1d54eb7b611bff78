"""Benchmark: the demo's province map, its file size and load time in headless Chromium.

Scenario: the real pipeline on the embedded Lào Cai demo (:mod:`coverage.datasets`: 99
communes, synthetic terrain and towers): :func:`coverage.analysis.analyse` (coverage of
every tower, commune figures, gaps of every operator and of "no operator"), then
:func:`coverage.render.map.coverage_map` with the options :func:`coverage.demo.run_demo` uses,
saved offline (one self-contained file).

Peer, in the same run: the same layers drawn with stock folium classes and written by
folium's own ``Map.save`` (CDN links): communes as ``GeoJson`` + ``GeoJsonTooltip``; the
hillshade and the coverage of each operator and of any operator as ``ImageOverlay`` of the
same pixels (folium encodes them); the gaps as one ``GeoJson`` + ``GeoJsonPopup`` per
operator (only "no operator" shown); towers as a ``MarkerCluster`` of ``Marker`` +
``Popup``. To time it without a network, its CDN requests are answered from our vendored
copies where one exists (Leaflet, markercluster) and refused otherwise (jQuery, Bootstrap,
Font Awesome): a best case for the peer, with zero network latency.

Load time: from navigation until the layer control is up, every image overlay is decoded
and two animation frames have been painted (median of ``--repeats`` loads).

Targets (issue 6): our offline file < 15 MB, loaded in < 5 s.

Run: ``python -m benchmarks map`` or ``python benchmarks/bench_map.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

import folium
import folium.plugins
import numpy as np
import pandas as pd

from coverage.analysis import analyse
from coverage.datasets import laocai_demo
from coverage.errors import DefaultsUsedWarning
from coverage.gaps import NO_OPERATOR
from coverage.io.communes import read_communes
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers
from coverage.names import SEED_COMMUNES, successor_commune
from coverage.render.map import coverage_map, save_map
from coverage.render.offline import ASSETS
from coverage.render.raster import colorize, hillshade, warp_to_web_mercator

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
POPUP_FIELDS = ["rank", "gap_id", "commune_name", "people", "area_km2", "highest_ground_m"]


def scenario() -> dict:
    """The demo's inputs and :func:`analyse` of them, as ``phusong demo`` runs it."""
    demo = laocai_demo()
    communes = read_communes(demo.communes, province="Lào Cai")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultsUsedWarning)
        towers = read_towers(demo.towers)
    terrain = open_terrain(demo.terrain)
    analysis = analyse(
        communes, towers, terrain, population_column="dan_so", radius_m=demo.radius_m
    )
    return {"analysis": analysis, "towers": towers, "terrain": terrain}


def phusong_map(s: dict) -> folium.Map:
    """Our map, with the options of :func:`coverage.demo.run_demo`."""
    analysis = s["analysis"]
    return coverage_map(
        analysis.communes,
        analysis.result,
        analysis.gaps,
        s["towers"],
        terrain=s["terrain"],
        communes_of_interest=sorted({successor_commune(n) for n in SEED_COMMUNES}),
        synthetic_inputs="Demo: terrain, towers and population are SYNTHETIC",
        offline=True,
        attribution={"Commune names, codes, centres": "vietnamadminunits (MIT)"},
    )


def plain_folium_map(s: dict) -> folium.Map:
    """The peer: the same layers with stock folium classes and defaults."""
    analysis, terrain = s["analysis"], s["terrain"]
    communes = analysis.communes.to_crs("EPSG:4326")
    west, south, east, north = communes.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9)

    shade = hillshade(terrain.elevation_m, cell_size_m=terrain.resolution_m).astype(np.float32)
    shade[shade == 0] = np.nan
    grey, bounds = warp_to_web_mercator(shade, transform=terrain.transform, crs=terrain.crs)
    alpha = np.isfinite(grey)
    grey = np.where(alpha, grey, 0).astype(np.uint8)
    rgba = np.dstack([grey, grey, grey, np.where(alpha, 255, 0).astype(np.uint8)])
    folium.raster_layers.ImageOverlay(rgba, bounds=bounds, opacity=0.75, name="hillshade").add_to(m)

    result = analysis.result
    operators = result.layers["operator"].astype(str).to_numpy()
    vmin = math.floor(float(result.layers["threshold_dbm"].min()) / 5.0) * 5.0
    lut = np.array(
        [(255, 255, 204), (161, 218, 180), (65, 182, 196), (44, 127, 184), (37, 52, 148)],
        dtype=np.uint8,
    )
    groups = [(op, operators == op) for op in dict.fromkeys(operators)]
    for label, chosen in [*groups, ("any operator", np.ones(len(operators), bool))]:
        power = np.where(result.covered[chosen], result.best_power_dbm[chosen], np.nan)
        best, bounds = warp_to_web_mercator(
            np.fmax.reduce(power, axis=0), transform=result.transform, crs=result.crs
        )
        folium.raster_layers.ImageOverlay(
            colorize(best, lut, vmin=vmin, vmax=vmin + 50),
            bounds=bounds,
            opacity=0.65,
            name=f"signal: {label}",
            show=label == "any operator",
        ).add_to(m)

    fields = ["name", "commune_id", "population", "uncovered_population_any"]
    folium.GeoJson(
        communes[[*fields, "geometry"]],
        name="communes",
        tooltip=folium.GeoJsonTooltip(fields=fields),
    ).add_to(m)
    gaps = analysis.gaps.to_crs("EPSG:4326")
    nearest = [c for c in gaps.columns if c.startswith("nearest_site")]
    for operator, mine in gaps.groupby("operator", sort=False):
        folium.GeoJson(
            mine[[*POPUP_FIELDS, *nearest, "geometry"]],
            name=f"gaps: {operator}",
            popup=folium.GeoJsonPopup(fields=[*POPUP_FIELDS, *nearest]),
            show=operator == NO_OPERATOR,
        ).add_to(m)
    cluster = folium.plugins.MarkerCluster(name="towers").add_to(m)
    for _, row in s["towers"].to_crs("EPSG:4326").iterrows():
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(f"{row.site_id} {row.operator} {row.technology}"),
        ).add_to(cluster)
    folium.LayerControl().add_to(m)
    return m


def load_seconds(path: Path, *, repeats: int = 3) -> tuple[float, int]:
    """Median seconds from navigation to a painted map with decoded images; JS errors seen."""
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
            page.goto(path.as_uri(), wait_until="load", timeout=120_000)
            page.wait_for_selector(".leaflet-control-layers", timeout=120_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('img.leaflet-image-layer')]"
                ".every(i => i.complete)",
                timeout=120_000,
            )
            page.evaluate(
                "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
            )
            times.append(time.perf_counter() - start)
            errors = max(errors, len(seen))
            page.close()
        browser.close()
    return float(np.median(times)), errors


def composition(path: Path) -> dict[str, float]:
    """MB of the file in embedded images and in our gap layers' data."""
    text = path.read_text(encoding="utf-8")
    images = sum(len(u) for u in re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", text))
    gaps = sum(
        text.find("\n", m.end()) - m.end() for m in re.finditer(r"phusong\.gapLayer\(", text)
    )
    return {"images_MB": images / 1e6, "gap_data_MB": gaps / 1e6}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args([] if argv is None else argv)  # the runner passes no argv
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_map_"))
    out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    s = scenario()
    analysis = s["analysis"]
    rows, cols = analysis.result.shape
    print(f"scenario: {len(analysis.communes)} communes, {len(s['towers'])} towers, "
          f"{len(analysis.result.layers)} layers on {rows}x{cols} cells of "
          f"{abs(analysis.result.transform.a):.0f} m, {len(analysis.gaps)} gaps "
          f"({analysis.gaps['operator'].nunique()} operator layers) "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip

    t0 = time.perf_counter()
    m = phusong_map(s)
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
        seconds, errors = (
            load_seconds(path, repeats=args.repeats) if Path(CHROMIUM).exists() else (math.nan, 0)
        )
        rows_out.append({"map": label, "size_MB": path.stat().st_size / 1e6, "build_s": build,
                         "save_s": save, "load_s": seconds, "js_errors": errors})  # fmt: skip
    table = pd.DataFrame(rows_out).set_index("map")
    print(table.round(2).to_string())
    parts = composition(ours)
    print(f"ours: {parts['images_MB']:.2f} MB of images, {parts['gap_data_MB']:.2f} MB of gap data")
    size_ok = table.loc["phusong offline (this)", "size_MB"] < 15
    load_ok = table.loc["phusong offline (this)", "load_s"] < 5
    print(f"targets: size < 15 MB {'OK' if size_ok else 'MISSED'}; "
          f"load < 5 s {'OK' if load_ok else 'MISSED'}; files in {out}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
