"""write_report: the HTML and PDF report, runs remembered and the change since the last one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from coverage.analysis import Analysis, analyse
from coverage.errors import CruderMethodWarning, OutputWriteError, SchemaError
from coverage.io.communes import read_communes
from coverage.io.terrain import open_terrain
from coverage.io.towers import read_towers
from coverage.report import compare_runs, load_run, write_report
from coverage.report.pdf import find_browser
from coverage.report.runs import ANY_OPERATOR

HOSTILE = '<script>alert("x")</script>'


def _analyse(scenario: dict, towers_path: Path, **options: object) -> Analysis:
    communes = read_communes(scenario["communes"])
    communes.loc[communes.index[1], "name"] = "A Mú " + HOSTILE
    towers = read_towers(towers_path)
    terrain = open_terrain(scenario["dem"])
    with pytest.warns(CruderMethodWarning):
        return analyse(
            communes, towers, terrain, population_column="dan_so", radius_m=4000, **options
        )


@pytest.fixture(scope="module")
def five_more(small_scenario: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario's towers plus five: three of Viettel, one of MobiFone, one hostile operator."""
    lines = Path(small_scenario["towers"]).read_text(encoding="utf-8").splitlines()
    lon, lat = small_scenario["lon"], small_scenario["lat"]
    extra = [
        f"N{i},{op},{lon[i % 3] + dx:.6f},{lat[i % 3] + dy:.6f},30,4G,1800,60,,360,0"
        for i, (op, dx, dy) in enumerate(
            [
                ("Viettel", 0.015, 0.0),
                ("Viettel", -0.015, 0.01),
                ("Viettel", 0.0, 0.015),
                ("MobiFone", 0.01, 0.01),
                ('"Op <img src=x onerror=alert(1)>"', -0.01, 0.01),
            ]
        )
    ]
    path = tmp_path_factory.mktemp("towers") / "towers_plus5.csv"
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_runs(small_scenario: dict, five_more: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("runs")
    first = _analyse(small_scenario, small_scenario["towers"])
    write_report(first, folder / "first.html", save_run_to=folder / "run1", period="Quý 2/2025")
    second = _analyse(small_scenario, five_more)
    write_report(
        second,
        folder / "second.html",
        previous=folder / "run1",
        save_run_to=folder / "run2",
        period="Quý 3/2025",
        synthetic={"terrain": "SYNTHETIC test relief"},
    )
    return folder, first, second


def test_people_gained_equal_the_difference_of_the_two_runs(two_runs) -> None:
    folder, _, _ = two_runs
    run1, run2 = load_run(folder / "run1"), load_run(folder / "run2")
    change = compare_runs(run2, run1)
    assert change.comparable
    towers = change.towers.set_index("operator")
    assert int(towers["added"].sum()) == 5 and int(towers["removed"].sum()) == 0
    assert towers.loc["Viettel", "added"] == 3 and towers.loc["MobiFone", "added"] == 1
    keys = ["commune", "operator"]
    expected = run2.figures.set_index(keys)["covered_population"].sub(
        run1.figures.set_index(keys)["covered_population"], fill_value=None
    )
    got = change.people.set_index(keys)["change"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, check_exact=True
    )
    gained = got.xs(ANY_OPERATOR, level="operator")
    assert (gained >= 0).all() and gained.sum() > 0
    # the page shows the same differences, row by row
    page = (folder / "second.html").read_text(encoding="utf-8")
    section = page[page.index('id="change"') : page.index('id="methods"')]
    for (commune, operator), value in got.dropna().items():
        if value == 0 or operator != ANY_OPERATOR:
            continue
        name = run2.figures.set_index(keys).loc[(commune, operator), "name"]
        assert re.search(
            re.escape(f"<td>{_escaped(name)}</td>")
            + r"<td>[^<]*</td><td class=\"n\">[^<]*</td><td class=\"n\">[^<]*</td>"
            + re.escape(f'<td class="n">{value:+,.0f}</td>'),
            section,
        ), name


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_html_is_self_contained_and_escapes_hostile_names(two_runs) -> None:
    folder, _, _ = two_runs
    page = (folder / "second.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert _escaped(HOSTILE) in page  # shown as text
    assert _escaped("Op <img src=x onerror=alert(1)>") in page
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert not re.search(r"(?:https?:|ftp:)?//[a-z0-9]|url\(|@import", text, re.IGNORECASE)
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', page))
    assert re.findall(r'src="([^"]+)"', page) and all(
        src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]+)"', page)
    )
    for text in ("Tóm tắt toàn tỉnh", "Kỳ báo cáo: Quý 3/2025", "Y Tý", "Mường Hum"):
        assert text in page
    assert "SYNTHETIC test relief" in page and "dem.tif" in page  # methods: synthetic inputs


def test_commune_of_interest_shows_its_2025_unit_and_old_communes(two_runs) -> None:
    folder, _, _ = two_runs
    page = (folder / "first.html").read_text(encoding="utf-8")
    section = page[page.index('id="interest"') : page.index('id="gaps"')]
    assert "<h3>Mường Hum</h3>" in section and "<h3>Y Tý</h3>" in section
    assert "Trung Lèng Hồ, Nậm Pung" in section  # Mường Hum 2025 absorbed them


def test_english_report(two_runs, tmp_path: Path) -> None:
    _, first, _ = two_runs
    out = write_report(first, tmp_path / "en.html", lang="en", period="Q2 2025")
    page = out.read_text(encoding="utf-8")
    assert "Province summary" in page and "Period: Q2 2025" in page and 'lang="en"' in page
    assert "Tóm tắt" not in page


def test_previous_run_with_another_model_is_not_comparable(
    two_runs, small_scenario: dict, tmp_path: Path
) -> None:
    folder, _, _ = two_runs
    other = _analyse(small_scenario, small_scenario["towers"], model="fspl")
    out = write_report(other, tmp_path / "r.html", lang="en", previous=folder / "run1")
    page = out.read_text(encoding="utf-8")
    section = page[page.index('id="change"') : page.index('id="methods"')]
    assert "The previous run is not comparable: model diffraction then, fspl now" in section
    assert "Towers added" not in section  # nothing subtracted
    change = compare_runs(
        load_run(folder / "run1"), load_run(folder / "run1").__class__(**_moved_grid(folder))
    )
    assert not change.comparable and change.reasons[0][0] == "reason.grid"
    assert change.people is None


def _moved_grid(folder: Path) -> dict:
    run = load_run(folder / "run1")
    grid = dict(run.meta["grid"], transform=[*run.meta["grid"]["transform"][:2], 0.0, 0, -1, 0])
    return {"meta": {**run.meta, "grid": grid}, "figures": run.figures, "towers": run.towers}


def test_bad_outputs_are_refused(two_runs, tmp_path: Path) -> None:
    _, first, _ = two_runs
    with pytest.raises(SchemaError, match=r"\.html or \.pdf"):
        write_report(first, tmp_path / "r.docx")
    with pytest.raises(SchemaError, match="--lang"):
        write_report(first, tmp_path / "r.html", lang="de")
    with pytest.raises(Exception, match="previous run"):
        write_report(first, tmp_path / "r.html", previous=tmp_path)
    assert not (tmp_path / "r.html").exists()


def test_pdf_without_chromium_says_how_to_get_it(
    two_runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, first, _ = two_runs
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputWriteError, match="apt-get install chromium"):
        write_report(first, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.browser
@pytest.mark.skipif(find_browser() is None, reason="no Chromium on PATH (Debian package chromium)")
def test_pdf_has_pages_and_the_commune_names(two_runs, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (the test extra) reads the PDF")
    _, first, _ = two_runs
    out = write_report(first, tmp_path / "report.pdf", period="Quý 3/2025")
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) >= 7  # cover and contents, then each of 6 sections on a new page
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for name in ("Y Tý", "Mường Hum", "Tóm tắt toàn tỉnh", "Quý 3/2025"):
        assert name in text
    assert pages[0].startswith("Báo cáo vùng phủ sóng di động")
    # every section opens a page (break-before: page), its title first
    for title in ("Tóm tắt toàn tỉnh", "Bản đồ và biểu đồ", "Các xã", "Phương pháp và dữ liệu"):
        assert any(page.lstrip().startswith(title) for page in pages[1:]), title
    if shutil.which("pdftoppm"):
        import subprocess

        import numpy as np
        from PIL import Image

        subprocess.run(["pdftoppm", "-r", "20", "-png", out, tmp_path / "page"], check=True)
        images = sorted(tmp_path.glob("page*.png"))
        assert len(images) == len(reader.pages)
        for image in images:  # each page has ink on it
            assert np.asarray(Image.open(image).convert("L")).min() < 128, image.name


def test_phusong_report_command(small_scenario: dict, five_more: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coverage.cli import main

    job = [
        "report", "--communes", small_scenario["communes"], "--dem", small_scenario["dem"],
        "--population-column", "dan_so", "--radius", "4000",
    ]  # fmt: skip
    runner = CliRunner()
    first = runner.invoke(
        main,
        [*map(str, job), "--towers", str(small_scenario["towers"]), "--lang", "en",
         "--save-run", str(tmp_path / "run1"), "--out", str(tmp_path / "a.html")],
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        main,
        [*map(str, job), "--towers", str(five_more), "--previous", str(tmp_path / "run1"),
         "--period", "Quý 3/2025", "--out", str(tmp_path / "b.html")],
    )  # fmt: skip
    assert second.exit_code == 0, second.output
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "Thay đổi so với lần chạy trước" in page and "Trạm thêm mới" in page
    assert "Province summary" in (tmp_path / "a.html").read_text(encoding="utf-8")
    bad = runner.invoke(
        main, [*map(str, job), "--towers", str(five_more), "--out", str(tmp_path / "c.docx")]
    )  # the report speaks Vietnamese unless told otherwise, its messages too
    assert bad.exit_code != 0 and "report.html hoặc report.pdf" in bad.output
    assert len(bad.output.strip().splitlines()) <= 3


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (Debian package chromium)"
)
def test_html_opens_offline_in_chromium_without_errors(two_runs) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    folder, _, _ = two_runs
    errors: list[str] = []
    network: list[str] = []
    dialogs: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            network.append(url)
            request_route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.route("**/*", route)
            page.goto((folder / "second.html").as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            assert page.locator("section").count() >= 7
            images = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert images and all(width > 0 for width in images)  # every figure decoded
            text = page.locator("body").inner_text()
            assert HOSTILE in text and "Op <img src=x onerror=alert(1)>" in text
            assert page.evaluate("() => document.querySelectorAll('script').length") == 0
            page.locator('a[href="#change"]').click()
            assert page.evaluate("() => location.hash") == "#change"
        finally:
            browser.close()
    assert errors == [] and network == [] and dialogs == []


@pytest.mark.parametrize(
    ("lang", "scattered"),
    [("vi", "Y Tý: rải rác, 37 mảnh nhỏ"), ("en", "Y Tý: scattered, 37 small pieces")],
)
def test_a_scattered_gap_row_says_so_in_the_report(lang: str, scattered: str) -> None:
    from types import SimpleNamespace

    from coverage.i18n import Translator
    from coverage.report.document import Page, _gaps

    gaps = pd.DataFrame(
        {
            "operator": ["Viettel", "Viettel"],
            "rank": [1, 2],
            "kind": ["scattered", "area"],
            "pieces": [37, 1],
            "commune_name": ["Y Tý", "Mường Hum"],
            "area_km2": [3.5, 2.0],
            "people": [900.0, 400.0],
            "centroid_lat": [22.6, 22.5],
            "centroid_lon": [103.6, 103.7],
        }
    )
    html = _gaps(SimpleNamespace(gaps=gaps), Page(Translator(lang)))
    assert f"<td>{scattered}</td>" in html and "<td>Mường Hum</td>" in html
