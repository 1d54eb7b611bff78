"""KMZ for Google Earth: KML 2.2 that GDAL opens, overlays present, hostile names kept as text."""

from __future__ import annotations

import html
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from click.testing import CliRunner

from coverage.cli import main
from coverage.grid import Grid
from coverage.model import CoverageResult
from coverage.render.kmz import KML_NAMESPACE, write_kmz
from coverage.terrain import Terrain

K = f"{{{KML_NAMESPACE}}}"
HOSTILE_SITE = "<script>alert('x')</script> ]]> & \"q\""
HOSTILE_OPERATOR = "Evil <b>Op</b> & Co"
HOSTILE_COMMUNE = "<img src=x onerror=alert(1)> ]]> & 'Xã'"


def _document(path: Path) -> tuple[list[str], ET.Element]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = ET.fromstring(archive.read("doc.kml"))
    return names, root


def _hostile_inputs(small_scenario: dict, tmp_path: Path) -> tuple[Path, Path, Path]:
    communes = gpd.read_file(small_scenario["communes"])
    communes.loc[0, "ten_xa"] = HOSTILE_COMMUNE
    communes_path = tmp_path / "communes.geojson"
    communes.to_file(communes_path)
    towers = pd.read_csv(small_scenario["towers"])
    towers.loc[0, "Mã trạm"] = HOSTILE_SITE
    towers.loc[2, "Nhà mạng"] = HOSTILE_OPERATOR
    towers_path = tmp_path / "towers.csv"
    towers.to_csv(towers_path, index=False)
    lon, lat = small_scenario["lon"], small_scenario["lat"]
    proposals = tmp_path / "proposals.csv"
    proposals.write_text(
        "rank,site_id,operator,lon,lat,antenna_height_m,technology,frequency_mhz,eirp_dbm,"
        "kind,people_gained\n"
        f"1,P-1,Viettel,{lon[2] + 0.01:.6f},{lat[2]:.6f},30,4G,1800,60,new,800\n"
        f"2,P-<2>,MobiFone,{lon[0]:.6f},{lat[0]:.6f},30,4G,1800,60,co-location,120\n",
        encoding="utf-8",
    )
    return communes_path, towers_path, proposals


@pytest.fixture(scope="module")
def kmz(small_scenario: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`phusong map --out X.kmz` on a small scenario with hostile names and a plan."""
    folder = tmp_path_factory.mktemp("kmz")
    communes, towers, proposals = _hostile_inputs(small_scenario, folder)
    out = folder / "coverage.kmz"
    args = [
        "map", "--communes", communes, "--towers", towers, "--dem", small_scenario["dem"],
        "--population-column", "dan_so", "--radius", "3000", "--proposals", proposals,
        "--synthetic", "towers", "--out", out,
    ]  # fmt: skip
    run = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    return out


def test_kmz_is_kml_22_with_doc_kml_first_and_every_overlay_image_inside(kmz: Path) -> None:
    names, root = _document(kmz)
    assert names[0] == "doc.kml"
    assert root.tag == f"{K}kml"
    overlays = root.iter(f"{K}GroundOverlay")
    hrefs = []
    for overlay in overlays:
        href = overlay.find(f"{K}Icon/{K}href")
        assert href is not None and href.text
        hrefs.append(href.text)
        box = overlay.find(f"{K}LatLonBox")
        assert box is not None
        north, south, east, west = (float(box.findtext(f"{K}{t}") or "nan") for t in
                                    ("north", "south", "east", "west"))  # fmt: skip
        assert 21.0 < south < north < 24.0 and 102.0 < west < east < 106.0
    labels = [o.findtext(f"{K}name") for o in root.iter(f"{K}GroundOverlay")]
    assert "Signal: any operator" in labels
    assert any(label and label.startswith("Gaps: no signal from") for label in labels)
    assert sorted(hrefs) == sorted(n for n in names if n != "doc.kml")
    with zipfile.ZipFile(kmz) as archive:
        for href in hrefs:
            assert archive.read(href)[:8] == b"\x89PNG\r\n\x1a\n"


def test_kmz_places_towers_gaps_and_proposed_sites_with_their_figures(kmz: Path) -> None:
    _, root = _document(kmz)
    folders = {f.findtext(f"{K}name"): f for f in root.iter(f"{K}Folder")}
    towers = list(folders["Towers"].iter(f"{K}Placemark"))
    assert len(towers) == 3
    proposed = [p.findtext(f"{K}name") for p in folders["Proposed sites"].iter(f"{K}Placemark")]
    assert proposed == ["#1 P-1", "#2 P-<2>"]
    gap_folder = next(f for name, f in folders.items() if name and name.startswith("Gap polygons"))
    gaps = list(gap_folder.iter(f"{K}Placemark"))
    assert gaps
    fields = {d.get("name"): d.findtext(f"{K}value") for d in gaps[0].iter(f"{K}Data")}
    assert {"people", "commune_name", "operator"} <= set(fields)
    assert float(fields["people"].replace(",", "")) > 0
    assert (
        gaps[0].find(f".//{K}Polygon/{K}outerBoundaryIs/{K}LinearRing/{K}coordinates") is not None
    )
    snippet = root.findtext(f"{K}Document/{K}Snippet")
    assert snippet and "towers" in snippet and "synthetic" in snippet


def test_hostile_names_come_back_as_text_never_as_markup(kmz: Path) -> None:
    _, root = _document(kmz)
    names = [p.findtext(f"{K}name") for p in root.iter(f"{K}Placemark")]
    assert HOSTILE_SITE in names
    operators = [f.findtext(f"{K}name") for f in root.iter(f"{K}Folder")]
    assert HOSTILE_OPERATOR in operators
    assert any(name and name.startswith(HOSTILE_COMMUNE) for name in names)
    # balloons are HTML to Google Earth: the data in them is escaped once more
    descriptions = [d.text or "" for d in root.iter(f"{K}description")]
    assert not any("<script" in d or "<img" in d or "<b>" in d for d in descriptions)
    assert any(html.escape(HOSTILE_OPERATOR) in d for d in descriptions)


def test_gdal_opens_the_kmz(kmz: Path) -> None:
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo missing: install the Debian package gdal-bin")
    done = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(kmz)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    layers = dict(
        zip(
            [
                line.split(": ", 1)[1]
                for line in done.stdout.splitlines()
                if line.startswith("Layer name: ")
            ],
            [
                int(line.split(": ")[1])
                for line in done.stdout.splitlines()
                if line.startswith("Feature Count: ")
            ],
            strict=True,
        )
    )
    assert layers["Viettel"] == 2 and layers[HOSTILE_OPERATOR] == 1
    assert layers["Proposed sites"] == 2 and layers["Gap polygons (figures in each balloon)"] > 0


def _result(towers: gpd.GeoDataFrame) -> CoverageResult:
    power = np.full((1, 20, 20), -80, np.float32)
    return CoverageResult(
        power,
        np.zeros(power.shape, np.int32),
        pd.DataFrame({"operator": ["Viettel"], "technology": ["4G"], "threshold_dbm": [-110]}),
        np.zeros((20, 20), np.uint8),
        Grid("EPSG:32648", Affine(100, 0, 400000, 0, -100, 2490000), (20, 20)),
        towers,
    )


def test_a_synthetic_dem_is_named_and_control_characters_are_dropped(tmp_path: Path) -> None:
    towers = gpd.GeoDataFrame(
        {"site_id": ["bell\x07site"], "operator": ["Viettel"]},
        geometry=gpd.points_from_xy([401000], [2489000]),
        crs="EPSG:32648",
    )
    terrain = Terrain.from_array(
        np.zeros((20, 20)), transform=Affine(100, 0, 400000, 0, -100, 2490000),
        crs="EPSG:32648", synthetic=True,
    )  # fmt: skip
    out = write_kmz(_result(towers), tmp_path / "t.kmz", terrain=terrain)
    _, root = _document(out)  # parses: the BEL character (not XML) is gone
    assert "bellsite" in [p.findtext(f"{K}name") for p in root.iter(f"{K}Placemark")]
    assert "terrain" in (root.findtext(f"{K}Document/{K}Snippet") or "")


def test_identical_runs_write_identical_bytes_and_an_existing_file_is_kept(tmp_path: Path) -> None:
    from coverage.errors import OutputExistsError

    towers = gpd.GeoDataFrame(
        {"site_id": ["A"], "operator": ["Viettel"]},
        geometry=gpd.points_from_xy([401000], [2489000]),
        crs="EPSG:32648",
    )
    first = write_kmz(_result(towers), tmp_path / "a.kmz")
    second = write_kmz(_result(towers), tmp_path / "b.kmz")
    assert first.read_bytes() == second.read_bytes()
    with pytest.raises(OutputExistsError):
        write_kmz(_result(towers), first)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_vietnamese_kmz_names_its_folders_and_fields_in_vietnamese(tmp_path: Path) -> None:
    towers = gpd.GeoDataFrame(
        {"site_id": ["A"], "operator": ["Viettel"], "technology": ["4G"]},
        geometry=gpd.points_from_xy([401000], [2489000]),
        crs="EPSG:32648",
    )
    terrain = Terrain.from_array(
        np.zeros((20, 20)), transform=Affine(100, 0, 400000, 0, -100, 2490000),
        crs="EPSG:32648", synthetic=True,
    )  # fmt: skip
    _, english = _document(write_kmz(_result(towers), tmp_path / "en.kmz", terrain=terrain))
    _, root = _document(write_kmz(_result(towers), tmp_path / "vi.kmz", terrain=terrain, lang="vi"))
    folders = [f.findtext(f"{K}name") for f in root.iter(f"{K}Folder")]
    assert "Trạm (BTS)" in folders and "Towers" in [
        f.findtext(f"{K}name") for f in english.iter(f"{K}Folder")
    ]
    assert root.findtext(f"{K}Document/{K}name") == "Vùng phủ sóng phusong (mô hình diffraction)"
    balloon = next(p for p in root.iter(f"{K}Placemark") if p.findtext(f"{K}name") == "A")
    assert "công nghệ" in (balloon.findtext(f"{K}description") or "")
    assert "TỔNG HỢP" in (root.findtext(f"{K}Document/{K}Snippet") or "").upper()
