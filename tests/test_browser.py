"""The offline map in a real browser: Debian's Chromium driven by Playwright, network blocked.

Never runs ``playwright install``: it launches ``/usr/bin/chromium`` and skips when that is
absent. A screenshot is left in ``test-artifacts/`` (gitignored) for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import folium
import pytest
from test_render import XSS, build_scenario

from coverage.render.map import CoverageMap, coverage_map, save_map

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (Debian package chromium)"
    ),
]


@pytest.fixture(scope="module")
def offline_map() -> CoverageMap:
    scenario = build_scenario()
    return coverage_map(
        scenario["communes"],
        scenario["result"],
        scenario["gaps"],
        scenario["towers"],
        terrain=scenario["terrain"],
        communes_of_interest=["Mường Hum"],
        synthetic_inputs="Terrain and towers are synthetic",
        offline=True,
    )


@pytest.fixture(scope="module")
def map_file(offline_map: CoverageMap, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_map(offline_map, tmp_path_factory.mktemp("map") / "map.html", offline=True)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Page:
    """A page with the network cut off, recording errors, dialogs and requests."""

    def __init__(self, browser, url: str, *, ready: str | None = ".leaflet-control-layers") -> None:
        self.errors: list[str] = []
        self.network: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")
        if ready:
            self.page.wait_for_selector(ready)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.network.append(url)
            route.abort()

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser, map_file: Path) -> Iterator[Page]:
    opened = Page(browser, map_file.as_uri())
    yield opened
    opened.close()


def test_loads_offline_without_errors_and_screenshot(page: Page) -> None:
    page.page.wait_for_timeout(300)
    assert page.errors == []
    assert page.network == []  # the offline file asks the network for nothing
    assert page.count("img.phusong-raster") >= 2  # hillshade + "any operator" signal
    assert page.count("path.leaflet-interactive") > 4  # communes, gaps, sectors
    assert page.count(".phusong-tower, .marker-cluster") >= 1
    banner = page.page.locator(".phusong-banner")
    assert banner.inner_text() == "Terrain and towers are synthetic"
    assert banner.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "map_offline.png"))


def test_layer_control_lists_layers_and_toggles_them(page: Page) -> None:
    labels = page.page.locator(".leaflet-control-layers label").all_inner_texts()
    text = " | ".join(label.strip() for label in labels)
    for name in (
        "Communes: share without signal",
        "Signal: any operator",
        "Signal: Viettel",
        "Gaps: no signal from any operator",
        "Gaps: no signal from Viettel",
        "Gaps: no signal from VinaPhone",
        "Towers",
        "Hillshade (terrain)",
        "No basemap (works offline)",
        "OpenStreetMap (online)",
    ):
        assert name in text
    paths_before = page.count("path.leaflet-interactive")
    communes = page.page.locator(".leaflet-control-layers label", has_text="Communes").locator(
        "input"
    )
    communes.uncheck()
    assert page.count("path.leaflet-interactive") == paths_before - 4
    communes.check()
    assert page.count("path.leaflet-interactive") == paths_before
    images_before = page.count("img.phusong-raster")
    page.page.locator(".leaflet-control-layers label", has_text="Signal: Viettel").locator(
        "input"
    ).check()
    assert page.count("img.phusong-raster") == images_before + 1
    page.page.locator(".leaflet-control-layers label", has_text="Hillshade").locator(
        "input"
    ).uncheck()
    assert page.count("img.phusong-raster") == images_before
    # gap layers: only "no operator" at first; Viettel's are drawn when switched on
    viettel = page.page.locator(
        ".leaflet-control-layers label", has_text="Gaps: no signal from Viettel"
    ).locator("input")
    assert not viettel.is_checked()
    viettel.check()
    assert page.count("path.leaflet-interactive") > paths_before
    viettel.uncheck()
    assert page.count("path.leaflet-interactive") == paths_before
    assert page.errors == []


def test_gap_popup_is_built_from_compact_properties(page: Page) -> None:
    # the most-people gap with no signal at all: click its polygon's popup open
    texts = page.page.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const out = [];
            map.eachLayer(layer => {
                if (layer.feature && layer.feature.properties.r === 1 && layer.getPopup()) {
                    layer.openPopup();
                    out.push(layer.getPopup().getElement().innerText);
                }
            });
            return out;
        }"""
    )
    assert len(texts) == 1  # only the "no operator" layer is drawn
    text = texts[0]
    assert text.startswith("Gap: no signal from any operator")
    assert "rank\t1" in text and "gap\tno_operator-0001" in text
    assert re.search(r"people without signal\t[0-9,]+\n", text)
    assert re.search(r"area, km²\t[0-9]+\.[0-9]{2}\n", text)
    assert re.search(r"nearest Viettel site\tVT-00[12] \([0-9]+\.[0-9] km\)", text)
    assert page.errors == []


def test_bold_outline_for_communes_of_interest(page: Page) -> None:
    widths = page.page.eval_on_selector_all(
        "path.leaflet-interactive", "els => els.map(e => e.getAttribute('stroke-width'))"
    )
    assert widths.count("4") == 1


def test_search_finds_y_ty_without_accents(page: Page) -> None:
    box = page.page.locator(".phusong-search-input")
    box.fill("Y Ty")
    hits = page.page.locator(".phusong-search-hit")
    assert hits.count() == 1
    assert hits.first.inner_text().startswith("Y Tý")
    hits.first.click()
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Y Tý" in popup.inner_text()
    assert box.input_value() == "Y Tý"
    box.fill("muong")
    assert page.page.locator(".phusong-search-hit").first.inner_text().startswith("Mường Hum")
    assert page.errors == []


def test_hostile_names_show_as_text_and_run_nothing(page: Page) -> None:
    # the commune named like an <img> tag: find it, open its popup, hover its tooltip
    box = page.page.locator(".phusong-search-input")
    box.fill("img src")
    hit = page.page.locator(".phusong-search-hit")
    assert hit.count() == 1 and hit.first.inner_text().startswith(XSS)
    hit.first.click()
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text()
    # the tower with that id: let the cluster open on it and show its popup
    opened = page.page.evaluate(
        """() => new Promise(done => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.eachLayer(group => {
                if (!(group instanceof L.MarkerClusterGroup)) return;
                group.eachLayer(marker => {
                    if (marker.options.title.includes("img src")) {
                        group.zoomToShowLayer(marker, () => { marker.openPopup(); done(1); });
                    }
                });
            });
            setTimeout(() => done(0), 5000);
        })"""
    )
    assert opened == 1
    contents = page.page.locator(".leaflet-popup-content").all_inner_texts()
    assert any(text.startswith(f"site\t{XSS}") for text in contents)
    # the gaps in the hostile commune, near the hostile tower: every layer switched on
    for label in page.page.locator(".leaflet-control-layers label", has_text="Gaps").all():
        label.locator("input").check()
    gap_texts = page.page.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const out = [];
            map.eachLayer(layer => {
                const p = layer.feature && layer.feature.properties;
                if (p && p.i && p.c && p.c.includes("img src")) {
                    layer.openPopup();
                    out.push(layer.getPopup().getElement().innerText);
                }
            });
            return out;
        }"""
    )
    assert gap_texts and all(f"commune\t{XSS}" in text for text in gap_texts)
    assert any(f"nearest VinaPhone site\t{XSS} (" in text for text in gap_texts)
    assert page.page.evaluate("() => window.__pwned === undefined")
    assert page.dialogs == []
    assert page.count(".leaflet-popup-content img, .leaflet-tooltip img, .phusong-search img") == 0
    assert page.network == [] and page.errors == []


def test_measure_and_fullscreen_controls_work(page: Page) -> None:
    page.page.locator(".leaflet-control-measure").hover()
    page.page.locator(".js-start").click()
    page.page.mouse.click(640, 430)
    page.page.mouse.click(700, 470)
    text = page.page.locator(".leaflet-control-measure").inner_text()
    assert re.search(r"Path distance [0-9.,]+ (Kilometers|Meters)", text), text
    assert page.count(".leaflet-control-zoom-fullscreen") == 1
    assert page.network == [] and page.errors == []


def test_notebook_cell_draws_the_map_offline(
    browser, offline_map: CoverageMap, tmp_path: Path
) -> None:
    # what Jupyter puts in the output cell: the map's _repr_html_, as it is, in a page
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        f"<body style='width:1000px'>{offline_map._repr_html_()}</body></html>",
        encoding="utf-8",
    )
    opened = Page(browser, notebook.as_uri(), ready="iframe")
    try:
        cell = opened.page.frame_locator("iframe")
        cell.locator(".leaflet-container").wait_for()
        cell.locator(".leaflet-control-layers").wait_for()
        assert opened.count(".leaflet-container") == 0  # the map lives in the iframe
        assert cell.locator("img.phusong-raster").count() >= 2  # hillshade + any operator
        assert cell.locator("path.leaflet-interactive").count() > 4
        assert cell.locator(".phusong-tower, .marker-cluster").count() >= 1
        assert cell.locator(".phusong-banner").inner_text() == "Terrain and towers are synthetic"
        box = cell.locator(".phusong-search-input")
        box.fill("Y Ty")
        assert cell.locator(".phusong-search-hit").first.inner_text().startswith("Y Tý")
        size = opened.page.locator("iframe").bounding_box()
        assert size is not None and size["width"] >= 900 and size["height"] >= 500
        opened.page.wait_for_timeout(300)
        assert opened.errors == []
        assert opened.network == []  # nothing fetched: Leaflet and plugins are in the cell
        assert opened.dialogs == []
        ARTIFACTS.mkdir(exist_ok=True)
        opened.page.screenshot(path=str(ARTIFACTS / "map_notebook_cell.png"))
    finally:
        opened.close()


def test_folium_own_notebook_cell_is_blank_offline(browser, tmp_path: Path) -> None:
    # the failure CoverageMap's display avoids: folium's own cell asks a CDN for Leaflet
    plain = folium.Map(location=[22.6, 103.8], tiles=None)
    folium.CircleMarker([22.6, 103.8], radius=8).add_to(plain)
    notebook = tmp_path / "folium.html"
    notebook.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        f"<body style='width:1000px'>{plain._repr_html_()}</body></html>",
        encoding="utf-8",
    )
    opened = Page(browser, notebook.as_uri(), ready="iframe")
    try:
        opened.page.wait_for_timeout(500)
        assert opened.page.frame_locator("iframe").locator(".leaflet-container").count() == 0
        assert any("leaflet" in url for url in opened.network)
        assert any("L is not defined" in error for error in opened.errors)
    finally:
        opened.close()
