"""Tests for coverage.render.map, coverage.render.raster and coverage.render.offline (no browser).

The browser half is tests/test_browser.py; it reuses :func:`build_scenario` from here.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer
from shapely.geometry import Point, box

from coverage.errors import CoverageError, CRSError, OutputExistsError, SchemaError
from coverage.gaps import commune_coverage, gap_polygons
from coverage.grid import Grid
from coverage.model import CoverageResult
from coverage.names import CommuneLookupError, normalize_name
from coverage.population import PopulationGrid
from coverage.render.layers import GapLayer
from coverage.render.map import OPERATOR_COLOURS, CoverageMap, coverage_map, save_map
from coverage.render.offline import (
    ASSETS,
    html_document,
    inline_css,
    inline_js,
    notebook_html,
    remote_references,
)
from coverage.render.raster import (
    classify,
    colorize,
    encode_png,
    hillshade,
    palette_with_transparent,
    warp_to_web_mercator,
)
from coverage.terrain import Terrain

REPO = Path(__file__).resolve().parents[1]
XSS = "<img src=x onerror=window.__pwned=1>"
CRS = "EPSG:32648"
X0, Y0, CELL = 380_000.0, 2_500_000.0, 30.0  # north-west corner near Y Tý, Lào Cai


def build_scenario(size: int = 200) -> dict:
    """Four communes (one with a hostile name) on a ``size`` x ``size`` 30 m grid, three
    coverage layers from four towers, people per cell, real gaps and commune statistics."""
    transform = Affine(CELL, 0, X0, 0, -CELL, Y0)
    rows, cols = np.mgrid[0:size, 0:size]
    elevation = 1500 + 400 * np.sin(cols / 23.0) * np.cos(rows / 31.0) + rows * 2.0
    terrain = Terrain.from_array(elevation, transform=transform, crs=CRS, source="synthetic hills")
    x = X0 + (cols + 0.5) * CELL
    y = Y0 - (rows + 0.5) * CELL
    span = size * CELL
    sites = [
        ("VT-001", "Viettel", "4G", 0.2, 0.2, 120.0, 65.0),
        ("VT-002", "Viettel", "2G", 0.8, 0.75, np.nan, 360.0),
        ("VNP-01", "VinaPhone", "4G", 0.75, 0.2, 200.0, 65.0),
        (XSS, "VinaPhone", "4G", 0.3, 0.8, 30.0, 90.0),
    ]
    towers = gpd.GeoDataFrame(
        {
            "site_id": [s[0] for s in sites],
            "operator": [s[1] for s in sites],
            "technology": [s[2] for s in sites],
            "frequency_mhz": [1800.0, 900.0, 1800.0, 1800.0],
            "antenna_height_m": [30.0, 25.0, 35.0, 30.0],
            "eirp_dbm": [58.0, 55.0, 58.0, 58.0],
            "azimuth_deg": [s[5] for s in sites],
            "beamwidth_deg": [s[6] for s in sites],
            "tilt_deg": [2.0, 0.0, 2.0, 2.0],
        },
        geometry=[Point(X0 + s[3] * span, Y0 - s[4] * span) for s in sites],
        crs=CRS,
    )
    layers = pd.DataFrame(
        {
            "operator": ["Viettel", "Viettel", "VinaPhone"],
            "technology": ["4G", "2G", "4G"],
            "threshold_dbm": [-110.0, -100.0, -110.0],
        }
    )
    power = np.full((3, size, size), np.nan, dtype=np.float32)
    serving = np.full((3, size, size), -1, dtype=np.int32)
    for k, (_, operator, technology, *_rest) in enumerate(sites):
        layer = int(
            np.flatnonzero((layers.operator == operator) & (layers.technology == technology))[0]
        )
        point = towers.geometry.iloc[k]
        distance_m = np.hypot(x - point.x, y - point.y) + 50.0
        received = (-60.0 - 35.0 * np.log10(distance_m / 100.0)).astype(np.float32)
        received[distance_m > 0.6 * span] = np.nan
        better = np.isnan(power[layer]) | (received > power[layer])
        better &= np.isfinite(received)
        power[layer] = np.where(better, received, power[layer])
        serving[layer] = np.where(better, k, serving[layer])
    result = CoverageResult(
        power, serving, layers, np.zeros((size, size), np.uint8), terrain.grid, towers
    )
    half = span / 2
    names = ["Y Tý", "Mường Hum", "Cốc Ly", XSS]
    communes = gpd.GeoDataFrame(
        {
            "commune_id": ["02641", "02647", "02650", "99999"],
            "name": names,
            "district": ["Bát Xát", "Bát Xát", "Bắc Hà", "Nowhere"],
            "province": ["Lào Cai"] * 4,
        },
        geometry=[
            box(X0 + i * half, Y0 - (j + 1) * half, X0 + (i + 1) * half, Y0 - j * half)
            for j in (0, 1)
            for i in (0, 1)
        ],
        crs=CRS,
    ).to_crs("EPSG:4326")
    people = np.full((size, size), 2.0) + 20.0 * (rows > size / 2) * (cols < size / 2)
    population = PopulationGrid(
        people, terrain.grid, "areal_weighting", "synthetic", np.ones((size, size))
    )
    stats = commune_coverage(communes, result, population=population)
    gaps = pd.concat(  # as coverage.analysis.analyse lists them: no operator, then each
        [
            gap_polygons(
                result, communes=communes, population=population, terrain=terrain, operator=op
            )
            for op in (None, "Viettel", "VinaPhone")
        ],
        ignore_index=True,
    )
    return {"communes": stats, "result": result, "gaps": gaps, "towers": towers, "terrain": terrain}


@pytest.fixture(scope="module")
def scenario() -> dict:
    return build_scenario()


@pytest.fixture(scope="module")
def offline_html(scenario: dict) -> str:
    m = coverage_map(
        scenario["communes"],
        scenario["result"],
        scenario["gaps"],
        scenario["towers"],
        terrain=scenario["terrain"],
        focus_commune="Y Ty",
        communes_of_interest=["Mường Hum"],
        synthetic_inputs=["terrain", "towers"],
        offline=True,
        attribution={"Population": "synthetic test grid"},
    )
    return html_document(m, offline=True)


# ---------------------------------------------------------------------------------------
# render_raster


def test_hillshade_matches_gdaldem(tmp_path: Path) -> None:
    gdaldem = shutil.which("gdaldem")
    if gdaldem is None:
        pytest.skip("gdaldem (Debian gdal-bin) not installed: no independent hillshade oracle")
    rng = np.random.default_rng(7)
    rows, cols = np.mgrid[0:60, 0:80]
    z = 1000 + 300 * np.sin(cols / 9) * np.cos(rows / 7) + 20 * rng.standard_normal((60, 80))
    z = z.astype(np.float32)
    src, out = tmp_path / "dem.tif", tmp_path / "shade.tif"
    profile = {
        "driver": "GTiff",
        "width": 80,
        "height": 60,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": Affine(30, 0, X0, 0, -30, Y0),
    }
    with rasterio.open(src, "w", **profile) as dst:
        dst.write(z, 1)
    for azimuth, altitude in ((315, 45), (120, 30)):
        subprocess.run(
            [
                gdaldem,
                "hillshade",
                "-q",
                "-az",
                str(azimuth),
                "-alt",
                str(altitude),
                str(src),
                str(out),
            ],
            check=True,
        )
        with rasterio.open(out) as shaded:
            expected = shaded.read(1).astype(int)
        ours = hillshade(z, cell_size_m=30.0, azimuth_deg=azimuth, altitude_deg=altitude)
        assert np.abs(ours.astype(int) - expected).max() <= 1
        assert (ours[0] == 0).all() and (ours[:, -1] == 0).all()


def test_hillshade_flat_and_voids() -> None:
    flat = np.full((6, 6), 250.0)
    flat[3, 3] = np.nan
    shade = hillshade(flat, cell_size_m=30.0)
    # flat ground: cos i = sin(45 deg), 1 + 254 * 0.7071 = 180.6
    assert shade[1, 1] == 181
    assert (shade[2:5, 2:5] == 0).all()  # the void and its neighbours: no data


def _read_png(path: Path, data: bytes):
    """Decode with GDAL (an independent PNG reader): bands, colour map of band 1, nodata."""
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(path) as src:
            try:
                colormap = src.colormap(1)
            except ValueError:
                colormap = None
            return src.read(), colormap, src.nodata


def _png_filters(data: bytes) -> set[int]:
    """The filter type bytes that start the scanlines of a one-IDAT 8-bit PNG."""
    width, height, _, color_type = struct.unpack(">IIBB", data[16:26])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    start = data.index(b"IDAT")
    raw = zlib.decompress(
        data[start + 4 : start + 4 + struct.unpack(">I", data[start - 4 : start])[0]]
    )
    return {raw[row * (width * channels + 1)] for row in range(height)}


def test_encode_png_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, size=(17, 23, 4), dtype=np.uint8)
    rows, cols = np.mgrid[0:40, 0:50]
    smooth = np.dstack([rows * 3, cols * 5, (rows + cols) * 2, 255 - rows]).astype(np.uint8)
    for image in (noise, smooth, smooth[:, :, :3], smooth[:, :, :2], smooth[:, :, 0]):
        data = encode_png(image)
        decoded, _, _ = _read_png(tmp_path / "x.png", data)
        expected = image if image.ndim == 3 else image[:, :, None]
        np.testing.assert_array_equal(np.moveaxis(decoded, 0, -1), expected)
    # the spec's heuristic picks other filters than "Sub" on smooth images (any of 0-4)
    assert _png_filters(encode_png(smooth)) - {1}
    assert _png_filters(encode_png(smooth)) <= {0, 1, 2, 3, 4}


def test_encode_png_indexed_and_transparent_grey(tmp_path: Path) -> None:
    palette = np.array(
        [[0, 0, 0, 0], [255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 128], [9, 9, 9, 255]],
        dtype=np.uint8,
    )
    indices = (np.arange(30 * 40).reshape(30, 40) % 5).astype(np.uint8)
    data = encode_png(indices, palette=palette)
    assert data[25] == 3 and _png_filters(data) == {0}  # indexed; filter None (clause 12.8)
    decoded, colormap, _ = _read_png(tmp_path / "p.png", data)
    np.testing.assert_array_equal(decoded[0], indices)
    assert [colormap[k] for k in range(5)] == [tuple(c) for c in palette.tolist()]
    grey = (np.arange(12 * 9).reshape(12, 9) % 256).astype(np.uint8)
    data = encode_png(grey, transparent=0)
    assert data[25] == 0 and b"tRNS" in data
    decoded, _, nodata = _read_png(tmp_path / "g.png", data)
    np.testing.assert_array_equal(decoded[0], grey)
    assert nodata == 0
    with pytest.raises(ValueError, match="past the palette"):
        encode_png(indices, palette=palette[:3])
    with pytest.raises(ValueError, match="greyscale"):
        encode_png(np.zeros((2, 2, 3), np.uint8), transparent=0)


def test_classify_matches_colorize() -> None:
    values = np.array([[-5.0, 0.0, 0.1, 0.25, 0.6, 0.999, 1.0, 99.0, np.nan]])
    classes = classify(values, vmin=0, vmax=1, steps=4)
    assert classes[0].tolist() == [1, 1, 1, 2, 3, 4, 4, 4, 0]
    lut = np.array([[10, 0, 0], [20, 0, 0], [30, 0, 0], [40, 0, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(
        palette_with_transparent(lut)[classes], colorize(values, lut, vmin=0, vmax=1)
    )
    with pytest.raises(ValueError, match="255"):
        classify(values, vmin=0, vmax=1, steps=256)


def test_colorize_clamps_and_hides_nan() -> None:
    lut = np.array([[10, 0, 0], [20, 0, 0], [30, 0, 0], [40, 0, 0]], dtype=np.uint8)
    rgba = colorize(np.array([[-5.0, 0.1, 0.6, 99.0, np.nan]]), lut, vmin=0, vmax=1, alpha=200)
    assert rgba[0, :, 0].tolist() == [10, 10, 30, 40, 0]
    assert rgba[0, :, 3].tolist() == [200, 200, 200, 200, 0]


def test_warp_to_web_mercator_bounds_and_size() -> None:
    transform = Affine(30, 0, X0, 0, -30, Y0)
    grid = np.arange(400 * 300, dtype=np.float32).reshape(400, 300) % 7
    warped, ((south, west), (north, east)) = warp_to_web_mercator(
        np.stack([grid, np.ones_like(grid)]), transform=transform, crs=CRS, max_px=100
    )
    assert warped.shape[0] == 2 and max(warped.shape[1:]) == 100
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(
        [X0, X0 + 300 * 30], [Y0 - 400 * 30, Y0]
    )
    # the Web Mercator box encloses the UTM box, within one output pixel
    pixel = (north - south) / warped.shape[1]
    assert south <= min(lat) + pixel and north >= max(lat) - pixel
    assert west <= min(lon) + pixel and east >= max(lon) - pixel
    assert np.nanmin(warped[1]) == 1.0 == np.nanmax(warped[1])  # averaging keeps a constant
    assert np.isfinite(warped[1]).mean() > 0.95
    assert np.nanmin(warped[0]) >= 0 and np.nanmax(warped[0]) <= 6


# ---------------------------------------------------------------------------------------
# coverage_map / save_map


def test_layers_and_controls_are_in_the_page(offline_html: str) -> None:
    for label in (
        "Communes: share without signal",
        "Signal: Viettel",
        "Signal: VinaPhone",
        "Signal: any operator",
        "Gaps: no signal from any operator",
        "Gaps: no signal from Viettel",
        "Gaps: no signal from VinaPhone",
        "Towers",
        "Tower sectors",
        "Hillshade (terrain)",
        "No basemap (works offline)",
        "OpenStreetMap (online)",
        "OpenTopoMap (online)",
    ):
        assert json.dumps(label)[1:-1] in offline_html, label
    for js in (
        "L.control.scale",
        "L.control.fullscreen",
        "L.Control.Measure",
        "L.control.layers",
        "L.markerClusterGroup",
        "phusong.addSearch",
        "phusong.gapLayer",
        "L.imageOverlay",
    ):
        assert js in offline_html, js


def test_user_text_is_escaped(offline_html: str) -> None:
    assert "<img src=x" not in offline_html  # neither raw in HTML nor raw in JSON
    assert "window.__pwned" in offline_html  # ...but the text itself is there, escaped


def test_offline_file_has_no_network_links(offline_html: str) -> None:
    assert remote_references(offline_html) == []
    assert not re.search(r"<script[^>]+src=[\"']?https?:", offline_html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", offline_html)
    for dropped in ("jquery", "bootstrap", "fontawesome"):
        assert dropped not in offline_html.lower()


def test_online_links_pinned_cdn_copies(scenario: dict) -> None:
    m = coverage_map(scenario["communes"], scenario["result"], towers=scenario["towers"])
    document = html_document(m, offline=False)
    links = remote_references(document)
    assert any("leaflet@1.9.4/dist/leaflet.js" in tag for tag in links)
    assert any("leaflet.markercluster@1.5.3" in tag for tag in links)
    assert all("cdn.jsdelivr.net/npm/" in tag for tag in links)
    assert "jquery" not in document and "bootstrap" not in document
    # rendering offline afterwards does not keep the online links, and vice versa
    assert remote_references(html_document(m, offline=True)) == []
    assert remote_references(html_document(m, offline=False)) == links


def test_rendering_leaves_the_map_as_it_was(scenario: dict) -> None:
    m = coverage_map(scenario["communes"], scenario["result"], towers=scenario["towers"])
    shown = m.get_root().render().count(".addTo(")  # folium alone repeats them every render
    assert m.get_root().render().count(".addTo(") > shown
    first = html_document(m, offline=False)
    assert html_document(m, offline=True) != first
    assert html_document(m, offline=False) == first  # no "addTo" repeated, links in place
    assert first.index("leaflet@1.9.4/dist/leaflet.js") < first.index("leaflet.markercluster@")


def test_offline_refuses_a_plugin_that_is_not_vendored() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(m)
    with pytest.raises(CoverageError, match="not vendored.*Draw"):
        html_document(m, offline=True)
    assert "leaflet.draw" in html_document(m, offline=False)


def test_jquery_only_when_the_map_code_calls_it() -> None:
    m = folium.Map(tiles=None)
    folium.Marker([22.6, 103.8], popup=folium.Popup("<b>plain folium popup</b>")).add_to(m)
    document = html_document(m, offline=True)
    assert "jQuery" in document and remote_references(document) == []
    online = remote_references(html_document(m, offline=False))
    assert any("jquery@3.7.1" in tag for tag in online)
    iconic = folium.Map(tiles=None)
    folium.Marker([22.6, 103.8], icon=folium.Icon(icon="signal")).add_to(iconic)
    with pytest.raises(CoverageError, match="awesome_markers"):
        html_document(iconic, offline=True)


def test_search_keys_fold_accents(scenario: dict, offline_html: str) -> None:
    assert f'"_key":"{normalize_name("Y Ty")}"' in offline_html
    assert normalize_name("Y Ty") == normalize_name("Y Tý")


def test_focus_commune_zooms_and_summarises(scenario: dict, offline_html: str) -> None:
    communes = scenario["communes"]
    y_ty = communes[communes["name"] == "Y Tý"].iloc[0]
    west, south, east, north = y_ty.geometry.bounds
    fits = re.findall(
        r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", offline_html
    )
    assert fits
    assert np.allclose([float(v) for v in fits[-1]], [south, west, north, east])
    assert "phusong-summary" in offline_html
    people = f"{y_ty['population']:,.0f}"
    assert people in offline_html
    assert f"{y_ty['uncovered_population_viettel']:,.0f}" in offline_html


def test_banner_and_attribution(scenario: dict, offline_html: str) -> None:
    assert "Not real data: terrain and towers are synthetic." in offline_html
    assert "Terrain: synthetic hills" in offline_html
    assert "Population: synthetic test grid" in offline_html
    plain = coverage_map(scenario["communes"], scenario["result"])
    assert "phusong.addBanner" not in html_document(plain, offline=True)


def _decode_rings(polygons: list, factor: int) -> shapely.MultiPolygon:
    """Python twin of map.js ``decodePolygons``: delta-encoded integer rings to degrees."""
    parts = []
    for rings in polygons:
        coords = [np.cumsum(np.reshape(ring, (-1, 2)), axis=0) / factor for ring in rings]
        parts.append(shapely.Polygon(coords[0], coords[1:]))
    return shapely.MultiPolygon(parts)


def test_gap_layers_one_per_operator_compact_and_faithful(scenario: dict) -> None:
    gaps = scenario["gaps"]
    m = coverage_map(scenario["communes"], scenario["result"], gaps, offline=True)
    layers = [c for c in m._children.values() if isinstance(c, GapLayer)]
    assert [layer.layer_name for layer in layers] == [
        "Gaps: no signal from any operator",
        "Gaps: no signal from Viettel",
        "Gaps: no signal from VinaPhone",
    ]
    assert [layer.show for layer in layers] == [True, False, False]  # only "no operator"
    cell_m = abs(scenario["result"].transform.a)
    metric = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    for layer, operator in zip(layers, ["no operator", "Viettel", "VinaPhone"], strict=True):
        data = layer.data
        mine = gaps[gaps["operator"] == operator].set_index("rank")
        assert len(data["features"]) == len(mine)
        assert data["colour"] == (
            "#7f0000" if operator == "no operator" else OPERATOR_COLOURS[operator.lower()]
        )
        labels = [field["label"] for field in data["fields"]]
        assert labels[:3] == ["rank", "gap", "commune"]
        assert "nearest VinaPhone site" in labels and "people without signal" in labels
        vinaphone_key = next(
            field["key"] for field in data["fields"] if field["label"] == "nearest VinaPhone site"
        )
        payload = layer.data_json()
        assert "<" not in payload and "_popup" not in payload and "_style" not in payload
        vertices = 0
        for feature in data["features"]:
            gap = mine.loc[feature["r"]]
            assert feature["i"] == gap["gap_id"] and feature["c"] == gap["commune_name"]
            assert feature["p"] == round(gap["people"]) and isinstance(feature["p"], int)
            assert feature["a"] == round(gap["area_km2"], 2)
            site, km = feature[vinaphone_key]
            assert data["sites"][site] == gap["nearest_site_vinaphone"]
            assert km == round(gap["nearest_site_km_vinaphone"], 1)
            shown = _decode_rings(feature["g"], data["factor"])
            vertices += shapely.get_num_coordinates(shown)
            shown_m = shapely.transform(shown, lambda xy: np.column_stack(metric.transform(*xy.T)))
            truth = gpd.GeoSeries([gap.geometry], crs=gaps.crs).to_crs(CRS).iloc[0]
            # simplified within half a cell, rounded to 1e-5 degree (about 1 m)
            assert shapely.hausdorff_distance(shown_m, truth) <= cell_m / 2 + 2.0
            assert abs(shown_m.area - truth.area) <= 0.05 * truth.area + cell_m**2
        # compact: a handful of bytes per vertex, not the ~22 of "[104.12345, 22.12345], "
        geometry_bytes = len(json.dumps([f["g"] for f in data["features"]], separators=(",", ":")))
        assert geometry_bytes < 12 * vertices
        assert vertices < shapely.get_num_coordinates(mine.geometry.to_numpy()).sum()


def test_commune_of_interest_outlined_in_bold(scenario: dict) -> None:
    m = coverage_map(scenario["communes"], scenario["result"], communes_of_interest=["muong hum"])
    (layer,) = [
        c for c in m._children.values() if getattr(c, "layer_name", "").startswith("Communes")
    ]
    weights = {
        f["properties"]["name"]: f["properties"]["_style"]["weight"] for f in layer.data["features"]
    }
    assert weights["Mường Hum"] == 4
    assert weights["Cốc Ly"] == weights["Y Tý"] == 1


def test_images_are_small_and_bounded(scenario: dict) -> None:
    m = coverage_map(
        scenario["communes"], scenario["result"], terrain=scenario["terrain"], max_image_px=64
    )
    document = html_document(m, offline=True)
    uris = re.findall(r"L.imageOverlay\(\"data:image/png;base64,([A-Za-z0-9+/=]+)", document)
    assert len(uris) == 4  # hillshade + 2 operators + any
    import base64

    pngs = [base64.b64decode(u) for u in uris]
    sizes = [struct.unpack(">II", png[16:24]) for png in pngs]
    assert max(max(s) for s in sizes) <= 64
    # hillshade: 8-bit grey with grey 0 transparent; coverage: 8-bit indexed colour
    assert [png[25] for png in pngs] == [0, 3, 3, 3]
    assert all(b"tRNS" in png for png in pngs)


def test_save_map_is_atomic_and_refuses_to_overwrite(scenario: dict, tmp_path: Path) -> None:
    m = coverage_map(scenario["communes"], scenario["result"], offline=True)
    out = save_map(m, tmp_path / "map.html")
    text = out.read_text(encoding="utf-8")
    assert remote_references(text) == []  # offline=None follows the map's own setting
    with pytest.raises(OutputExistsError, match="overwrite"):
        save_map(m, out)
    save_map(m, out, offline=False, overwrite=True)
    assert remote_references(out.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temp files left


def srcdoc(cell: str) -> str:
    """The page inside a notebook cell's ``<iframe srcdoc="...">``, unescaped."""
    match = re.search(r'<iframe srcdoc="([^"]*)"', cell)
    assert match, cell[:300]
    return html.unescape(match.group(1))


def test_notebook_display_of_an_offline_map_inlines_leaflet(scenario: dict) -> None:
    m = coverage_map(
        scenario["communes"], scenario["result"], towers=scenario["towers"], offline=True
    )
    assert isinstance(m, CoverageMap) and isinstance(m, folium.Map) and m.offline
    cell = m._repr_html_()
    page = srcdoc(cell)
    assert remote_references(page) == []
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", page, re.I)
    for name in ("leaflet", "markerclusterjs", "Control.Fullscreen.js", "leaflet_measure_js"):
        assert inline_js(ASSETS[name].text()) in page, name  # the vendored code itself
    assert inline_css(ASSETS["leaflet_css"]) in page
    assert "phusong.addSearch" in page and "L.markerClusterGroup" in page
    assert page == html_document(m, offline=True)  # what save_map writes
    assert m._repr_html_() == cell  # displaying changed nothing
    assert remote_references(html_document(m, offline=False))
    # folium's own display of this very map links Leaflet from a CDN: blank without internet
    folium_cell = folium.Map._repr_html_(m)
    assert remote_references(srcdoc(folium_cell))
    # ours: the same iframe wrapper (width, ratio, trust note), around the offline page
    assert cell.split("srcdoc=")[0] == folium_cell.split("srcdoc=")[0]
    assert cell.endswith("</iframe></div></div>")
    escaped_tag = r"&lt;(script|link)\b((?!&gt;).)*\b(src|href)=&quot;(https?:)?//"
    assert re.search(escaped_tag, folium_cell) and not re.search(escaped_tag, cell)


def test_notebook_display_of_an_online_map_links_pinned_copies(scenario: dict) -> None:
    m = coverage_map(scenario["communes"], scenario["result"], towers=scenario["towers"])
    assert not m.offline
    page = srcdoc(m._repr_html_())
    links = remote_references(page)
    assert any("leaflet@1.9.4/dist/leaflet.js" in tag for tag in links)
    assert all("cdn.jsdelivr.net/npm/" in tag for tag in links)
    assert "jquery" not in page and "bootstrap" not in page
    assert page == html_document(m, offline=False)


def test_notebook_html_sizes_and_detached_maps() -> None:
    sized = CoverageMap(tiles=None, width=640, height=400, offline=True)
    figure = sized.get_root()
    figure.height = "400px"  # a fixed-height figure: branca's second wrapper
    cell = sized._repr_html_()
    assert cell.split("srcdoc=")[0] == folium.Map._repr_html_(sized).split("srcdoc=")[0]
    assert 'height="400px"' in cell and remote_references(srcdoc(cell)) == []
    detached = CoverageMap(tiles=None, offline=True)
    detached._parent = None  # as folium.Map._repr_html_ allows: shown in a new figure
    assert "L.map(" in srcdoc(notebook_html(detached, offline=True))
    assert detached._parent is None


def test_errors_name_the_fix(scenario: dict) -> None:
    communes = scenario["communes"]
    with pytest.raises(CommuneLookupError, match="Closest names: Y Tý"):
        coverage_map(communes, scenario["result"], focus_commune="Y Tyy")
    with pytest.raises(SchemaError, match="'name' column"):
        coverage_map(communes.drop(columns="name"), scenario["result"])
    with pytest.raises(CRSError, match="communes has no coordinate reference system"):
        coverage_map(communes.set_crs(None, allow_override=True), scenario["result"])


def test_map_without_statistics_or_layers_still_renders(scenario: dict) -> None:
    result = scenario["result"]
    empty = CoverageResult(
        result.best_power_dbm[:0],
        result.serving_site[:0],
        result.layers.iloc[:0],
        result.validity,
        result.grid,
        result.towers.iloc[:0],
    )
    bare = scenario["communes"][["commune_id", "name", "geometry"]]
    document = html_document(coverage_map(bare, empty), offline=True)
    assert "Signal:" not in document and "#bdbdbd" in document  # grey: no statistics


# ---------------------------------------------------------------------------------------
# vendored assets


def test_vendored_assets_match_their_manifest() -> None:
    spec = importlib.util.spec_from_file_location(
        "vendor_assets", REPO / "scripts" / "vendor_assets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["vendor_assets"] = module
    spec.loader.exec_module(module)
    assert module.check() == 0
    for package in module.PACKAGES:
        assert (
            REPO
            / "coverage"
            / "render"
            / "static"
            / "vendor"
            / package.folder
            / package.licence_file
        ).is_file()
    vendored = {asset.package for asset in ASSETS.values()}
    assert vendored == {package.folder for package in module.PACKAGES}


def test_validity_flags_are_a_layer_when_any_pixel_is_flagged() -> None:
    flags = np.zeros((40, 40), np.uint8)
    flags[:, :20] = 1
    result = CoverageResult(
        np.full((1, 40, 40), -80, np.float32),
        np.zeros((1, 40, 40), np.int32),
        pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110.0]}),
        flags,
        Grid("EPSG:32648", Affine(100, 0, 400000, 0, -100, 2490000), (40, 40)),
        gpd.GeoDataFrame(geometry=[], crs="EPSG:32648"),
    )
    communes = gpd.GeoDataFrame(
        {"name": ["Y Tý"]}, geometry=[box(400000, 2486000, 404000, 2490000)], crs="EPSG:32648"
    )
    page = coverage_map(communes, result).get_root().render()
    assert "Model outside its validity range" in page
    clean = CoverageResult(
        *[getattr(result, f) for f in ("best_power_dbm", "serving_site", "layers")],
        np.zeros((40, 40), np.uint8),
        result.grid,
        result.towers,
    )
    assert (
        "Model outside its validity range" not in coverage_map(communes, clean).get_root().render()
    )


def test_a_synthetic_terrain_always_draws_the_banner(scenario: dict) -> None:
    from dataclasses import replace

    tagged = replace(scenario["terrain"], synthetic=True)
    args = (scenario["communes"], scenario["result"], scenario["gaps"], scenario["towers"])
    page = coverage_map(*args, terrain=tagged).get_root().render()
    assert "Not real data: terrain is synthetic." in page
    page = coverage_map(*args, terrain=tagged, synthetic_inputs=["towers"]).get_root().render()
    assert "Not real data: towers and terrain are synthetic." in page
    assert (
        "Not real data" not in coverage_map(*args, terrain=scenario["terrain"]).get_root().render()
    )
