"""Tests for coverage.io.communes: schemas, formats, CRSs, encodings and bad inputs."""

from __future__ import annotations

import shutil
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pyproj import CRS
from shapely.geometry import Polygon, box

from coverage.errors import CRSError, InputFileError, RepairWarning, SchemaError
from coverage.io.communes import communes_from_frame, read_communes
from coverage.names import SEED_COMMUNES, find_commune, successor_commune

DATA = Path(__file__).resolve().parent / "data" / "communes"
STYLE_2025 = DATA / "communes_2025_style.geojson"
STYLE_GADM = DATA / "communes_gadm_style.geojson"
VN2000_TM3_LAO_CAI = "EPSG:9208"  # VN-2000 / TM-3 104-45, Lào Cai's provincial meridian
UTM_48N = "EPSG:32648"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
NORMALISED = ["commune_id", "name", "district", "province"]


def _cp1258_bytes(text: str) -> bytes:
    """Encode as Vietnamese Windows CP1258: base letters precomposed, tones as separate bytes."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            tone = "".join(c for c in parts if c in TONE_MARKS)
            out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def _fixture_frame() -> gpd.GeoDataFrame:
    return gpd.read_file(STYLE_2025)


# --- known schemas -----------------------------------------------------------------------


def test_2025_schema_detected_and_original_columns_kept() -> None:
    communes = read_communes(STYLE_2025, province="Lào Cai")
    assert list(communes.columns[:4]) == ["commune_id", "name", "district", "province"]
    assert communes["commune_id"].tolist() == ["90001", "90002", "90003", "90004", "90005"]
    assert communes["name"].iloc[1] == "Mường Hum"
    assert communes["district"].isna().all()
    assert (communes["province"] == "Lào Cai").all()
    for column in ("ma_xa", "ten_xa", "loai", "dan_so"):
        assert column in communes.columns
    assert communes.crs.to_epsg() == 4326
    assert communes.geometry.name == "geometry"


def test_without_province_keyword_province_is_unknown() -> None:
    communes = read_communes(STYLE_2025)
    assert communes["province"].isna().all()


def test_gadm_schema_names_get_their_spaces_back() -> None:
    communes = read_communes(STYLE_GADM)
    assert communes["commune_id"].tolist()[0] == "VNM.99.1.1_1"
    assert communes["name"].tolist() == ["Y Tý", "A Lù", "Cốc Ly", "Phố Lu (Thị trấn)"]
    assert communes["district"].tolist() == ["Bát Xát", "Bát Xát", "Bắc Hà", "Bảo Thắng"]
    assert set(communes["province"]) == {"Lào Cai"}
    # the original spelling is never lost
    assert communes["NAME_3"].tolist()[:2] == ["YTý", "ALù"]


def test_province_keyword_filters_a_file_with_a_province_column(tmp_path: Path) -> None:
    frame = gpd.read_file(STYLE_GADM)
    frame.loc[3, "NAME_1"] = "YênBái"
    path = tmp_path / "two_provinces.geojson"
    frame.to_file(path)
    assert len(read_communes(path, province="lao cai")) == 3
    assert read_communes(path, province="Yên Bái")["name"].tolist() == ["Phố Lu (Thị trấn)"]
    with pytest.raises(SchemaError, match="provinces present"):
        read_communes(path, province="Hà Giang")


@pytest.mark.parametrize(
    ("name_header", "code_header"),
    [("name", "code"), ("Tên xã", "Mã xã"), ("TEN", "MA"), ("commune_name", "id")],
)
def test_common_headers_detected(tmp_path: Path, name_header: str, code_header: str) -> None:
    frame = _fixture_frame().rename(columns={"ten_xa": name_header, "ma_xa": code_header})
    path = tmp_path / "headers.gpkg"
    frame.to_file(path)
    communes = read_communes(path)
    assert communes["name"].tolist()[:2] == ["Y Tý", "Mường Hum"]
    assert communes["commune_id"].tolist()[0] == "90001"


def test_clashing_original_column_is_kept_under_another_name(tmp_path: Path) -> None:
    frame = _fixture_frame().rename(columns={"ten_xa": "name"})
    frame["name"] = "  " + frame["name"].map(lambda n: unicodedata.normalize("NFD", n))
    path = tmp_path / "clash.geojson"
    frame.to_file(path)
    communes = read_communes(path)
    assert communes["name"].iloc[0] == "Y Tý"
    assert communes["name_original"].iloc[0] == frame["name"].iloc[0]


def test_explicit_columns_and_unknown_column(tmp_path: Path) -> None:
    frame = _fixture_frame().rename(columns={"ten_xa": "label", "ma_xa": "key"})
    path = tmp_path / "odd.geojson"
    frame.to_file(path)
    communes = read_communes(path, name_column="label", code_column="key")
    assert communes["name"].iloc[0] == "Y Tý"
    with pytest.raises(SchemaError, match="'nope' is not a column"):
        read_communes(path, name_column="nope", code_column="key")


def test_integer_codes_become_strings(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame["ma_xa"] = frame["ma_xa"].astype(int)
    path = tmp_path / "int_codes.gpkg"
    frame.to_file(path)
    assert read_communes(path)["commune_id"].tolist()[0] == "90001"


# --- the pure core: frames already in memory ----------------------------------------------


def _bow_tie() -> Polygon:
    return Polygon([(103.0, 22.0), (103.1, 22.1), (103.1, 22.0), (103.0, 22.1)])


@pytest.mark.parametrize("path", [STYLE_2025, STYLE_GADM], ids=["2025", "gadm"])
def test_frame_in_memory_gives_what_the_file_gives(path: Path) -> None:
    from_file = read_communes(path, province="Lào Cai")
    from_frame = communes_from_frame(gpd.read_file(path), province="Lào Cai")
    assert_geodataframe_equal(from_frame, from_file)


def test_frame_keeps_its_index_and_is_left_untouched() -> None:
    frame = gpd.GeoDataFrame(
        {"ma_xa": [2686, 2689], "ten_xa": ["Y\u0301 Ty\u0301", "Bảo  Nhai"], "loai": ["Xã", "Xã"]},
        geometry=[box(103.5, 22.6, 103.6, 22.7), _bow_tie()],
        index=pd.Index(["north", "east"], name="key"),
        crs=None,
    )
    before = frame.copy()
    with pytest.warns(RepairWarning, match=r"^my table: repaired 1 invalid polygons.*'2689'"):
        communes = communes_from_frame(frame, crs=4326, province="Lào  Cai", source="my table")
    assert communes.index.equals(frame.index)
    assert communes[["commune_id", "name", "province"]].values.tolist() == [
        ["2686", "Ý Tý", "Lào Cai"],
        ["2689", "Bảo Nhai", "Lào Cai"],
    ]
    assert list(communes.columns) == [*NORMALISED, "ma_xa", "ten_xa", "loai", "geometry"]
    assert communes.crs.to_epsg() == 4326 and communes.is_valid.all()
    assert communes.loc["east"].geometry.area == pytest.approx(0.005)  # both halves kept
    assert_geodataframe_equal(frame, before)  # no CRS set, nothing repaired


def test_frame_messages_name_the_source() -> None:
    unnamed = gpd.GeoDataFrame(
        {"code": ["1"], "label": ["Y Tý"]}, geometry=[box(0, 0, 1, 1)], crs=4326
    )
    with pytest.raises(SchemaError, match=r"^sheet 2: cannot tell .* commune names.*name_column="):
        communes_from_frame(unnamed, source="sheet 2")
    assert communes_from_frame(unnamed, name_column="label")["name"].tolist() == ["Y Tý"]
    with pytest.raises(CRSError, match="sheet 2"):
        communes_from_frame(unnamed.set_crs(None, allow_override=True), name_column="label",
                            source="sheet 2")  # fmt: skip
    with pytest.raises(SchemaError, match=r"^sheet 2: commune codes in column 'code' must be"):
        communes_from_frame(pd.concat([unnamed, unnamed]), name_column="label", source="sheet 2")


def test_frame_with_mojibake_is_refused_unless_told_otherwise() -> None:
    frame = gpd.GeoDataFrame(
        {"ma_xa": ["1"], "ten_xa": ["Y TÃ½"]}, geometry=[box(0, 0, 1, 1)], crs=4326
    )
    with pytest.raises(InputFileError, match=r"column 'ten_xa' row 0 reads 'Y TÃ½'"):
        communes_from_frame(frame)
    assert communes_from_frame(frame, check_encoding=False)["name"].tolist() == ["Y TÃ½"]


def test_a_plain_table_is_not_communes() -> None:
    with pytest.raises(TypeError, match="GeoDataFrame of polygons, not DataFrame"):
        communes_from_frame(pd.DataFrame({"ma_xa": ["1"], "ten_xa": ["Y Tý"]}))


# --- formats and CRSs --------------------------------------------------------------------


def test_zipped_shapefile(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    _fixture_frame().to_file(folder / "communes.shp", encoding="utf-8")
    archive = tmp_path / "communes.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.iterdir():
            zipped.write(part, part.name)
    communes = read_communes(archive)
    assert communes["name"].tolist()[:2] == ["Y Tý", "Mường Hum"]
    assert communes.crs.equals(CRS.from_epsg(4326))


def test_geopackage_layer(tmp_path: Path) -> None:
    path = tmp_path / "communes.gpkg"
    _fixture_frame().to_file(path, layer="xa")
    box_layer = gpd.GeoDataFrame({"x": [1]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    box_layer.to_file(path, layer="other")
    communes = read_communes(path, layer="xa")
    assert len(communes) == 5


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson"])
def test_vn2000_tm3_input_kept_in_its_crs_and_in_the_right_place(
    tmp_path: Path, suffix: str
) -> None:
    original = _fixture_frame()
    projected = original.to_crs(VN2000_TM3_LAO_CAI)
    path = tmp_path / f"vn2000{suffix}"
    projected.to_file(path)
    communes = read_communes(path)
    # never reprojected: same CRS (a Shapefile .prj loses the EPSG code, not the meaning)
    assert communes.crs.equals(CRS(VN2000_TM3_LAO_CAI), ignore_axis_order=True)
    assert "VN-2000" in communes.crs.name or "VN_2000" in communes.crs.name
    # TM-3 coordinates: false easting 500 km on 104°45'E, northing ~2.5e6 m near 22.5°N
    x, y = communes.geometry.iloc[2].centroid.coords[0]  # Bảo Nhai square, ~104.25°E 22.45°N
    assert 430_000 < x < 470_000
    assert 2_470_000 < y < 2_500_000
    back = communes.to_crs(UTM_48N).geometry.centroid
    expected = original.to_crs(UTM_48N).geometry.centroid
    np.testing.assert_allclose(back.x, expected.x, atol=0.01)  # metres
    np.testing.assert_allclose(back.y, expected.y, atol=0.01)


def test_vn2000_geographic_input(tmp_path: Path) -> None:
    original = _fixture_frame()
    path = tmp_path / "vn2000_geographic.gpkg"
    original.to_crs("EPSG:4756").to_file(path)
    communes = read_communes(path)
    assert communes.crs.to_epsg() == 4756
    # VN-2000 degrees differ from WGS 84 by a datum shift of a few hundred metres at most
    shift = communes.geometry.iloc[0].centroid.distance(original.geometry.iloc[0].centroid)
    assert 0 < shift < 0.01
    back = communes.to_crs(UTM_48N).geometry.centroid
    expected = original.to_crs(UTM_48N).geometry.centroid
    np.testing.assert_allclose(back.x, expected.x, atol=0.01)


def test_crs_keyword_overrides_the_file_crs(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.gpkg"
    projected = _fixture_frame().to_crs(VN2000_TM3_LAO_CAI).set_crs(4326, allow_override=True)
    projected.to_file(path)
    communes = read_communes(path, crs=VN2000_TM3_LAO_CAI)
    assert communes.crs.equals(CRS(VN2000_TM3_LAO_CAI))
    assert communes.total_bounds[0] > 1000  # coordinates untouched, still metres


# --- bad inputs --------------------------------------------------------------------------


def test_file_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.shp"
    _fixture_frame().to_crs(VN2000_TM3_LAO_CAI).to_file(path, encoding="utf-8")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match=r"nocrs\.shp.*crs="):
        read_communes(path)
    communes = read_communes(path, crs=VN2000_TM3_LAO_CAI)
    assert communes.crs.equals(CRS(VN2000_TM3_LAO_CAI))


def test_empty_files(tmp_path: Path) -> None:
    zero = tmp_path / "zero.geojson"
    zero.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_communes(zero)
    no_features = tmp_path / "none.geojson"
    no_features.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputFileError, match="no features"):
        read_communes(no_features)


def test_missing_name_column_says_which_keyword(tmp_path: Path) -> None:
    frame = _fixture_frame().rename(columns={"ten_xa": "label"})
    path = tmp_path / "noname.geojson"
    frame.to_file(path)
    with pytest.raises(SchemaError, match=r"name_column=.*") as info:
        read_communes(path)
    assert "label" in str(info.value)  # the columns are listed


def test_missing_code_column_says_which_keyword(tmp_path: Path) -> None:
    frame = _fixture_frame().drop(columns=["ma_xa"])
    path = tmp_path / "nocode.geojson"
    frame.to_file(path)
    with pytest.raises(SchemaError, match="code_column="):
        read_communes(path)


def _write_cp1258_shapefile(folder: Path, *, with_cpg: bool) -> Path:
    """A Shapefile whose .dbf text is CP1258, written byte for byte through ISO-8859-1."""
    frame = _fixture_frame()
    frame["ten_xa"] = [_cp1258_bytes(n).decode("latin-1") for n in frame["ten_xa"]]
    frame["loai"] = [_cp1258_bytes(n).decode("latin-1") for n in frame["loai"]]
    path = folder / "cp1258.shp"
    frame.to_file(path, encoding="ISO-8859-1")
    cpg = path.with_suffix(".cpg")
    if with_cpg:
        cpg.write_text("CP1258", encoding="ascii")
    elif cpg.exists():
        cpg.unlink()
    return path


def test_cp1258_shapefile_without_cpg_is_refused_then_read_with_encoding(tmp_path: Path) -> None:
    path = _write_cp1258_shapefile(tmp_path, with_cpg=False)
    with pytest.raises(InputFileError, match="encoding='cp1258'"):
        read_communes(path)
    communes = read_communes(path, encoding="cp1258")
    # every letter survives (GDAL's own CP1258 conversion drops the last one)
    assert communes["name"].tolist() == ["Y Tý", "Mường Hum", "Bảo Nhai", "Lùng Phình", "Sa Pa"]
    assert communes["loai"].iloc[-1] == "Phường"


def test_cp1258_shapefile_with_cpg_read_without_options(tmp_path: Path) -> None:
    path = _write_cp1258_shapefile(tmp_path, with_cpg=True)
    communes = read_communes(path)
    assert communes["name"].tolist()[:2] == ["Y Tý", "Mường Hum"]
    assert list(communes.columns[4:7]) == ["ma_xa", "ten_xa", "loai"]


def test_latin1_shapefile_read_with_encoding(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame["ten_xa"] = ["Bé", "Tá Ú", "Ò Ì", "Yên", "Sa Pa"]  # all in Latin-1
    frame["loai"] = "Xa"
    path = tmp_path / "latin1.shp"
    frame.to_file(path, encoding="ISO-8859-1")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    for encoding in ("latin-1", "ISO-8859-1", None):
        assert read_communes(path, encoding=encoding)["name"].tolist()[:3] == ["Bé", "Tá Ú", "Ò Ì"]


def test_cp1258_geojson_is_refused_then_read_with_encoding(tmp_path: Path) -> None:
    text = STYLE_2025.read_text(encoding="utf-8")
    path = tmp_path / "cp1258.geojson"
    path.write_bytes(_cp1258_bytes(text))
    with pytest.raises(InputFileError, match="cp1258"):
        read_communes(path)
    communes = read_communes(path, encoding="cp1258")
    assert communes["name"].tolist()[:2] == ["Y Tý", "Mường Hum"]


def test_utf8_read_as_latin1_is_caught(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame["ten_xa"] = [n.encode("utf-8").decode("latin-1") for n in frame["ten_xa"]]
    path = tmp_path / "double.gpkg"
    frame.to_file(path)
    with pytest.raises(InputFileError, match=r"row 0 reads 'Y TÃ½'"):
        read_communes(path)


def test_bow_tie_repaired_with_a_warning(tmp_path: Path) -> None:
    frame = _fixture_frame()
    bow_tie = Polygon([(103.55, 22.6), (103.65, 22.7), (103.65, 22.6), (103.55, 22.7)])
    assert not bow_tie.is_valid
    frame.loc[0, "geometry"] = bow_tie
    path = tmp_path / "bowtie.geojson"
    frame.to_file(path)
    with pytest.warns(RepairWarning, match=r"repaired 1 invalid polygons.*90001"):
        communes = read_communes(path)
    repaired = communes.geometry.iloc[0]
    assert repaired.is_valid
    assert repaired.geom_type in ("Polygon", "MultiPolygon")
    # both triangles kept (0.1 x 0.05 / 2 square degrees each); buffer(0) would drop one
    assert repaired.area == pytest.approx(0.005, rel=1e-9)
    assert communes.geometry.iloc[1:].equals(frame.geometry.iloc[1:])


def test_duplicate_codes(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame.loc[3, "ma_xa"] = "90002"
    path = tmp_path / "dupes.geojson"
    frame.to_file(path)
    with pytest.raises(SchemaError, match=r"'90002' at rows 1, 3"):
        read_communes(path)


def test_null_and_empty_geometries_named(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame.loc[2, "geometry"] = None
    path = tmp_path / "nullgeom.gpkg"
    frame.to_file(path)
    with pytest.raises(SchemaError, match=r"rows 2 \(Bảo Nhai\)"):
        read_communes(path)


def test_points_are_not_communes(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame["geometry"] = frame.geometry.representative_point()
    path = tmp_path / "points.geojson"
    frame.to_file(path)
    with pytest.raises(SchemaError, match="must be polygons"):
        read_communes(path)


def test_missing_names_named(tmp_path: Path) -> None:
    frame = _fixture_frame()
    frame.loc[4, "ten_xa"] = None
    path = tmp_path / "noname_row.geojson"
    frame.to_file(path)
    with pytest.raises(SchemaError, match=r"'ten_xa' is empty at rows 4"):
        read_communes(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="communes file not found"):
        read_communes(tmp_path / "absent.geojson")


# --- real data ----------------------------------------------------------------------------


def test_real_2025_file(laocai_dir: Path) -> None:
    communes = read_communes(laocai_dir / "communes_2025.geojson", province="Lào Cai")
    assert len(communes) == 99
    assert communes["commune_id"].is_unique
    assert communes["loai"].value_counts().to_dict() == {"Xã": 89, "Phường": 10}
    assert all(unicodedata.is_normalized("NFC", n) for n in communes["name"])
    assert communes.crs.to_epsg() == 4326


def test_real_gadm_file_and_seed_communes(laocai_dir: Path) -> None:
    old = read_communes(laocai_dir / "communes_pre2025_gadm41.geojson")
    new = read_communes(laocai_dir / "communes_2025.geojson", province="Lào Cai")
    assert len(old) == 164
    assert old["commune_id"].is_unique
    assert " " not in "".join(old["NAME_3"])  # GADM wrote them without spaces
    found = {}
    for query, expected in zip(
        ("Y Ty", "muong hum", "Coc Ly", "Ta Van Chu", "Lung Phinh"), SEED_COMMUNES, strict=True
    ):
        rows = find_commune(old, query)
        assert rows["name"].tolist() == [expected]
        found[expected] = rows
    assert found["Y Tý"]["district"].item() == "Bát Xát"
    assert found["Tả Van Chư"]["district"].item() == "Bắc Hà"
    for old_name, old_rows in found.items():
        unit = find_commune(new, successor_commune(old_name))
        assert len(unit) == 1
        # the 2025 unit contains most of the old commune's area
        old_shape = old_rows.to_crs(UTM_48N).geometry.item()
        new_shape = unit.to_crs(UTM_48N).geometry.item()
        assert old_shape.intersection(new_shape).area > 0.8 * old_shape.area


def test_real_file_copied_as_zipped_shapefile(laocai_dir: Path, tmp_path: Path) -> None:
    source = laocai_dir / "communes_2025.geojson"
    folder = tmp_path / "shp"
    folder.mkdir()
    frame = gpd.read_file(source).drop(columns=["area_calc_km2"])  # > 10 characters for .dbf
    frame.to_file(folder / "xa.shp", encoding="utf-8")
    archive = shutil.make_archive(str(tmp_path / "xa"), "zip", folder)
    communes = read_communes(archive)
    assert len(communes) == 99
    assert "Tả Củ Tỷ" in set(communes["name"])


def test_cli_messages_name_no_python_keyword_as_an_option(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coverage.cli import main

    path = tmp_path / "nonames.geojson"
    gpd.GeoDataFrame({"foo": ["a"]}, geometry=[box(104, 22, 104.1, 22.1)], crs=4326).to_file(path)
    result = CliRunner().invoke(main, ["info", str(path)])
    assert result.exit_code != 0
    assert "Rename that column to one of ten_xa, name, commune_name" in result.output
    assert "--name-column" not in result.output
    shp = _write_cp1258_shapefile(tmp_path, with_cpg=False)
    with pytest.raises(InputFileError, match="Add a .cpg file.*or in Python pass") as info:
        read_communes(shp)
    assert "--encoding" not in str(info.value)


def test_swapped_axes_and_a_wrong_crs_are_named_as_such(tmp_path: Path) -> None:
    polygon = box(104.0, 22.0, 104.1, 22.1)
    swapped = gpd.GeoDataFrame(
        {"ten_xa": ["Y Tý"], "ma_xa": ["1"]}, geometry=[box(22.0, 104.0, 22.1, 104.1)], crs=4326
    )
    with pytest.raises(SchemaError, match="longitude and latitude are swapped"):
        communes_from_frame(swapped)
    metres = gpd.GeoDataFrame(
        {"ten_xa": ["Y Tý"], "ma_xa": ["1"]}, geometry=[polygon], crs=4326
    ).to_crs(32648)
    with pytest.raises(SchemaError, match="impossible as degrees.*CRS is wrong or missing"):
        communes_from_frame(metres.set_crs(4326, allow_override=True))
