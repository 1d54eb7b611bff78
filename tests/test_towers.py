"""Tests for coverage.io.towers and coverage.operators."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from shapely.geometry import LineString, Point, box

from coverage import operators
from coverage.errors import (
    CoverageWarning,
    CRSError,
    DefaultsUsedWarning,
    InputFileError,
    MissingFileError,
    OutputExistsError,
    SchemaError,
)
from coverage.io.towers import (
    TOWER_COLUMNS,
    check_towers_within,
    parse_angle,
    read_towers,
    towers_from_frame,
    write_towers,
)

DATA = Path(__file__).resolve().parent / "data" / "towers"

VN_HEADER = (
    "Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Độ cao anten;Công nghệ;Tần số (MHz);EIRP (dBm);"
    "Hướng (độ);Góc nghiêng;Độ rộng búp sóng;Ghi chú"
)
VN_ROWS = [
    "LCI001;Viettel;103,975;22,48;35;4G;1800;60;120;4;65;Thành phố",
    "LCI002;VNPT;103°50'30\"E;22°20'15\"N;30;WCDMA;2100;58;0;3;65;Sa Pa",
    "LCI003;mobifone;104,2883;22,5363;42;GSM;900;55;240;2;65;Bắc Hà",
    "LCI004;Vietnamobile;103.8846;22.5469;25;LTE;1800;59;;;;Bát Xát",
]


def write_vn_csv(path: Path, rows=VN_ROWS, header=VN_HEADER, sep=";", encoding="utf-8-sig"):
    lines = [header.replace(";", sep)] + [r.replace(";", sep) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def read_quiet(path, **kwargs):
    """read_towers where default-filling is expected and not under test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultsUsedWarning)
        return read_towers(path, **kwargs)


@pytest.fixture
def vn_csv(tmp_path):
    return write_vn_csv(tmp_path / "tram.csv")


@pytest.fixture
def vn_towers(vn_csv):
    return read_quiet(vn_csv)


# ----------------------------------------------------------------- operators


def test_mnc_452_names_every_operator():
    names = {mnc: operators.operator_from_plmn(452, mnc) for mnc in (1, 2, 4, 5, 7)}
    assert names == {
        1: "MobiFone",
        2: "VinaPhone",
        4: "Viettel",
        5: "Vietnamobile",
        7: "Gmobile",
    }
    assert operators.operator_from_plmn(452, 8) == "Viettel"  # ex-EVNTelecom 3G
    assert operators.operator_from_plmn(460, 0) == "460-00"
    assert operators.operator_from_plmn(452, 99) == "452-99"


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("viettel", "Viettel"),
        ("VIETTEL", "Viettel"),
        ("Tập đoàn Viettel", "Viettel"),
        ("VNPT", "VinaPhone"),
        ("Vinaphone", "VinaPhone"),
        ("VNPT-Vinaphone", "VinaPhone"),
        ("Mobifone", "MobiFone"),
        ("MBF", "MobiFone"),
        ("Vietnamobile", "Vietnamobile"),
        ("vietnamobile ", "Vietnamobile"),
        ("Gmobile", "Gmobile"),
        ("FPT", "FPT"),
    ],
)
def test_operator_spellings_are_normalised(spelling, canonical):
    assert operators.normalise_operator(spelling) == canonical


@pytest.mark.parametrize(
    ("value", "generation"),
    [
        ("GSM", "2G"),
        ("gsm900", "2G"),
        ("2G", "2G"),
        ("UMTS", "3G"),
        ("WCDMA", "3G"),
        ("W-CDMA", "3G"),
        ("3G", "3G"),
        ("LTE", "4G"),
        ("LTE1800", "4G"),
        ("4G LTE", "4G"),
        ("NR", "5G"),
        ("5G NR", "5G"),
        (4, "4G"),
        (5.0, "5G"),
    ],
)
def test_technologies_are_normalised(value, generation):
    assert operators.normalise_technology(value) == generation


@pytest.mark.parametrize(
    ("value", "message"),
    [("2G/3G", "several"), ("CDMA", "2012"), ("WiMAX", "not a known"), (6, "generation")],
)
def test_bad_technologies_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        operators.normalise_technology(value)


def test_radio_defaults_table_and_overrides():
    table = operators.RADIO_DEFAULTS
    assert [table[t].frequency_mhz for t in operators.TECHNOLOGIES] == [900, 2100, 1800, 3500]
    assert all(table[t].antenna_height_m == 30 for t in operators.TECHNOLOGIES)
    # EIRP built as transmitter + gain - feeder, as documented
    assert table["2G"].eirp_dbm == 43 + 15 - 3
    assert table["4G"].eirp_dbm == 46 + 17 - 3
    changed = operators.radio_defaults({"antenna_height_m": 20, "5G": {"frequency_mhz": 2600}})
    assert changed["5G"].frequency_mhz == 2600 and changed["5G"].antenna_height_m == 20
    assert changed["2G"].frequency_mhz == 900 and changed["2G"].antenna_height_m == 20
    assert operators.RADIO_DEFAULTS["5G"].frequency_mhz == 3500  # table itself untouched
    with pytest.raises(SchemaError, match="unknown key 'height'"):
        operators.radio_defaults({"height": 20})
    with pytest.raises(SchemaError, match="unknown fields"):
        operators.radio_defaults({"4G": {"power": 1}})


# ----------------------------------------------------------------- angles


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("22°30'15.2\"N", 22 + 30 / 60 + 15.2 / 3600),
        ("104 08 30 E", 104 + 8 / 60 + 30 / 3600),
        ("22°30.25'", 22 + 30.25 / 60),
        ("104,123", 104.123),
        ("-22.5", -22.5),
        ("22.5 S", -22.5),
        ("W 104°", -104.0),
        ("22d30m15s", 22 + 30 / 60 + 15 / 3600),
        ("22º30′15″", 22 + 30 / 60 + 15 / 3600),
        ("103°58'30,5\"", 103 + 58 / 60 + 30.5 / 3600),
        (104.5, 104.5),
        ("", math.nan),
    ],
)
def test_parse_angle_formats(text, degrees):
    value = parse_angle(text)
    if math.isnan(degrees):
        assert math.isnan(value)
    else:
        assert value == pytest.approx(degrees, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "axis", "message"),
    [
        ("22°61'", None, "below 60"),
        ("22°30'75\"", None, "below 60"),
        ("22.5°30'", None, "only the last"),
        ("N22 S", None, "two hemisphere"),
        ("-22 N", None, "sign"),
        ("22°30'N", "lon", "swapped"),
        ("104°E", "lat", "swapped"),
        ("abc", None, "not a coordinate"),
        ("1.2.3", None, "not a coordinate"),
    ],
)
def test_parse_angle_refuses(text, axis, message):
    with pytest.raises(ValueError, match=message):
        parse_angle(text, axis=axis)


def format_dms(angle: float, *, style: int) -> str:
    """An angle written as a person would: D°M'S.s"H, 'D M S H', or D°M.m'."""
    hemisphere = "N" if angle >= 0 else "S"
    if style == 2:  # degrees and decimal minutes, in units of 1e-8 minute
        units = round(abs(angle) * 60 * 10**8)
        degrees, minutes = divmod(units, 60 * 10**8)
        return f"{'-' if angle < 0 else ''}{degrees}°{minutes / 10**8:.8f}'"
    units = round(abs(angle) * 3600 * 10**6)  # microseconds of arc
    degrees, rest = divmod(units, 3600 * 10**6)
    minutes, micro = divmod(rest, 60 * 10**6)
    seconds = f"{micro // 10**6:02d}.{micro % 10**6:06d}"
    if style == 0:
        return f"{degrees}°{minutes:02d}'{seconds}\"{hemisphere}"
    return f"{degrees} {minutes} {seconds} {hemisphere}"


@settings(max_examples=300, deadline=None)
@given(
    angle=st.floats(min_value=-180, max_value=180, allow_nan=False),
    style=st.sampled_from([0, 1, 2]),
)
def test_dms_round_trip_property(angle, style):
    text = format_dms(angle, style=style)
    assert parse_angle(text) == pytest.approx(angle, abs=1e-6)


# ----------------------------------------------------------------- reading formats


def test_vietnamese_csv_is_normalised(vn_csv):
    with pytest.warns(DefaultsUsedWarning) as caught:
        towers = read_towers(vn_csv)
    assert len(caught) == 1
    assert "azimuth" not in str(caught[0].message)
    assert "beamwidth_deg 1" in str(caught[0].message) and "tilt_deg 1" in str(caught[0].message)
    assert list(towers.columns[: len(TOWER_COLUMNS)]) == list(TOWER_COLUMNS)
    assert towers.crs.to_epsg() == 4326
    assert towers["operator"].tolist() == ["Viettel", "VinaPhone", "MobiFone", "Vietnamobile"]
    assert towers["technology"].tolist() == ["4G", "3G", "2G", "4G"]
    assert towers.geometry.x.tolist() == pytest.approx(
        [103.975, 103 + 50 / 60 + 30 / 3600, 104.2883, 103.8846]
    )
    assert towers.geometry.y.tolist() == pytest.approx(
        [22.48, 22 + 20 / 60 + 15 / 3600, 22.5363, 22.5469]
    )
    last = towers.iloc[3]
    assert math.isnan(last["azimuth_deg"])
    assert last["beamwidth_deg"] == 360.0  # omni
    assert last["tilt_deg"] == operators.RADIO_DEFAULTS["4G"].tilt_deg
    # original columns kept, raw
    assert towers["Ghi chú"].tolist() == ["Thành phố", "Sa Pa", "Bắc Hà", "Bát Xát"]
    assert towers["Nhà mạng"].tolist()[1] == "VNPT"
    assert "lon" not in towers.columns and "lat" not in towers.columns
    for column in TOWER_COLUMNS[3:]:
        assert towers[column].dtype == np.float64


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_csv_delimiters_are_sniffed(tmp_path, sep):
    rows = [r.replace("103,975", "103.975").replace("22,48", "22.48") for r in VN_ROWS]
    rows = [r.replace("104,2883", "104.2883").replace("22,5363", "22.5363") for r in rows]
    rows = [r.replace('"', "") if sep == "," else r for r in rows]
    path = write_vn_csv(tmp_path / "t.csv", rows=rows, sep=sep)
    towers = read_quiet(path)
    assert towers["site_id"].tolist() == ["LCI001", "LCI002", "LCI003", "LCI004"]
    assert towers.geometry.x.iloc[0] == pytest.approx(103.975)


def test_csv_without_bom_and_utf16(tmp_path):
    plain = write_vn_csv(tmp_path / "plain.csv", encoding="utf-8")
    utf16 = write_vn_csv(tmp_path / "u16.csv", sep="\t", encoding="utf-16")
    a, b = read_quiet(plain), read_quiet(utf16)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))


def test_english_headers_any_case(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(
        "Site ID,OPERATOR,Longitude,Latitude,Radio,Frequency (MHz),EIRP (dBm),"
        "Antenna Height,Azimuth,Tilt,Beamwidth\n"
        "S1,Viettel,103.97,22.48,LTE,1800,60,30,45,2,65\n",
        encoding="utf-8",
    )
    towers = read_towers(path)
    row = towers.iloc[0]
    assert (row["site_id"], row["technology"], row["azimuth_deg"], row["tilt_deg"]) == (
        "S1", "4G", 45.0, 2.0,
    )  # fmt: skip
    assert "Site ID" not in towers.columns and "Longitude" in towers.columns
    xy = tmp_path / "xy.csv"
    xy.write_text("site;x;y\nS1;103,97;22,48\n", encoding="utf-8")
    assert read_quiet(xy).geometry.iloc[0].equals(Point(103.97, 22.48))


def test_cp1258_file_names_the_encoding_fix():
    path = DATA / "tram_bts_cp1258.csv"
    with pytest.raises(InputFileError, match="tram_bts_cp1258.csv") as info:
        read_towers(path)
    assert "encoding='cp1258'" in str(info.value) and "utf-16" in str(info.value)
    towers = read_quiet(path, encoding="cp1258")
    assert towers["site_id"].tolist() == ["LCI-SP01", "LCI-BX02", "LCI-BH03"]
    assert towers["operator"].tolist() == ["Viettel", "VinaPhone", "MobiFone"]
    # "Công suất phát (W)": 200 W -> 53 dBm, 40 W -> 46 dBm, empty -> 3G default
    assert towers["eirp_dbm"].tolist() == pytest.approx(
        [53.0103, operators.RADIO_DEFAULTS["3G"].eirp_dbm, 46.0206], abs=1e-4
    )
    assert towers.geometry.x.iloc[0] == pytest.approx(103 + 50 / 60 + 30 / 3600)


def make_xlsx(path: Path, rows: list[list], *, title: str | None = None, sheet="Trạm BTS"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    for row in rows:
        ws.append(row)
    notes = book.create_sheet("Ghi chú")
    notes.append(["Ghi chú", "Người lập"])
    notes.append(["not towers", "Sở TT&TT"])
    book.save(path)
    return path


XLSX_ROWS = [
    ["Tên trạm", "Doanh nghiệp", "Kinh độ", "Vĩ độ", "Chiều cao anten", "Công nghệ",
     "Tần số", "EIRP", "Đơn vị", "Hướng", "Góc nghiêng", "Độ rộng búp sóng"],
    ["Y Tý 1", "Viettel", 103.6252, 22.6431, 30, "LTE", 1800, 60, "dBm", 90, 3, 65],
    ["Mường Hum", "VinaPhone", "103°39'36\"", "22°34'12\"", 25, "3G", 2100, 20, "W", 180, 2, 65],
    [1001, "Mobifone", 103.9701, 22.4861, 45.5, "GSM", 900, 0.05, "kW", None, None, None],
]  # fmt: skip


def test_xlsx_with_title_row_and_unit_column(tmp_path):
    path = make_xlsx(tmp_path / "tram.xlsx", XLSX_ROWS, title="DANH SÁCH TRẠM BTS TỈNH LÀO CAI")
    with pytest.warns(DefaultsUsedWarning, match="beamwidth_deg 1"):
        towers = read_towers(path)
    assert towers["site_id"].tolist() == ["Y Tý 1", "Mường Hum", "1001"]
    assert towers["eirp_dbm"].tolist() == pytest.approx([60.0, 43.0103, 46.9897], abs=1e-4)
    assert towers["antenna_height_m"].tolist() == [30.0, 25.0, 45.5]
    assert towers.geometry.y.iloc[1] == pytest.approx(22 + 34 / 60 + 12 / 3600)
    assert towers["Đơn vị"].tolist() == ["dBm", "W", "kW"]


def test_xlsx_sheet_choice_and_error_rows(tmp_path):
    rows = [list(r) for r in XLSX_ROWS]
    rows[2][3] = "22°74'"  # the bad cell
    path = make_xlsx(tmp_path / "t.xlsx", rows, title="Danh sách")
    # title row 1, blank row 2, header row 3, data from row 4: the bad value is on row 5
    with pytest.raises(SchemaError, match=r"row 5, column 'Vĩ độ', value \"22°74'\""):
        read_quiet(path, sheet=0)
    with pytest.raises(SchemaError, match="row 5"):
        read_quiet(path, sheet="Trạm BTS")
    with pytest.raises(InputFileError, match=r"no sheet 'Sheet9'.*Ghi chú"):
        read_towers(path, sheet="Sheet9")
    with pytest.raises(InputFileError, match="sheet=5 does not exist"):
        read_towers(path, sheet=5)
    with pytest.raises(SchemaError, match="no coordinate columns"):
        read_towers(path, sheet="Ghi chú")


def test_geojson_and_gpkg(tmp_path):
    frame = gpd.GeoDataFrame(
        {"Mã trạm": ["A", "B"], "Nhà mạng": ["viettel", "Vinaphone"], "Công nghệ": ["4G", "2G"]},
        geometry=[Point(435000, 2485000), Point(440000, 2490000)],
        crs="EPSG:32648",
    )
    frame.to_file(tmp_path / "t.gpkg", layer="tram", engine="pyogrio")
    towers = read_quiet(tmp_path / "t.gpkg", sheet="tram")
    assert towers.crs.to_epsg() == 32648  # file's CRS kept
    assert towers["operator"].tolist() == ["Viettel", "VinaPhone"]
    assert towers.geometry.x.tolist() == [435000, 440000]
    frame.to_crs(4326).to_file(tmp_path / "t.geojson", engine="pyogrio")
    towers = read_quiet(tmp_path / "t.geojson")
    assert towers.crs.to_epsg() == 4326
    assert towers["frequency_mhz"].tolist() == [1800.0, 900.0]
    with pytest.raises(CRSError, match="reproject"):
        read_quiet(tmp_path / "t.gpkg", crs="EPSG:4326")


def test_vector_without_crs_and_non_points(tmp_path):
    frame = gpd.GeoDataFrame(
        {"site_id": ["A", "B"]}, geometry=[Point(103.9, 22.4), LineString([(0, 0), (1, 1)])]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # geopandas: "'crs' was not provided"
        frame.to_file(tmp_path / "bad.gpkg", engine="pyogrio")
    with pytest.raises(CRSError, match="no coordinate reference system"):
        read_quiet(tmp_path / "bad.gpkg")
    with pytest.raises(SchemaError, match="feature 2, column 'geometry', value 'LineString'"):
        read_quiet(tmp_path / "bad.gpkg", crs="EPSG:4326")


# ----------------------------------------------------------------- OpenCelliD


def test_opencellid_sample():
    with pytest.warns(DefaultsUsedWarning) as caught:
        towers = read_towers(DATA / "opencellid_452.csv")
    message = str(caught[0].message)
    assert len(caught) == 1
    for field in ("frequency_mhz 8", "eirp_dbm 8", "antenna_height_m 8", "beamwidth_deg 8"):
        assert field in message
    assert "site_id 8" not in message and "operator 8" not in message
    assert towers["operator"].tolist() == [
        "Viettel", "VinaPhone", "MobiFone", "Viettel", "Viettel", "Vietnamobile", "Gmobile",
        "460-00",
    ]  # fmt: skip
    assert towers["technology"].tolist() == ["2G", "3G", "4G", "4G", "5G", "2G", "4G", "4G"]
    assert towers["site_id"].iloc[2] == "452-01-LTE-10121-26891457"
    assert towers["site_id"].iloc[4] == "452-04-NR-12111-5263921153"
    assert towers["frequency_mhz"].tolist()[:3] == [900.0, 2100.0, 1800.0]
    assert towers["beamwidth_deg"].eq(360.0).all()  # OpenCelliD has no azimuths: omni
    assert towers.geometry.x.iloc[0] == pytest.approx(103.971234)
    # OpenCelliD's own columns are kept for filtering
    assert towers["samples"].tolist()[:2] == ["58", "23"] and "range" in towers.columns


def test_opencellid_without_header_matches_with_header():
    full = read_quiet(DATA / "opencellid_452.csv")
    bare = read_quiet(DATA / "opencellid_452_noheader.csv")
    pd.testing.assert_frame_equal(bare, full.iloc[:4])


# ----------------------------------------------------------------- bad input catalogue


def test_missing_empty_and_header_only_files(tmp_path):
    with pytest.raises(MissingFileError):
        read_towers(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_towers(tmp_path / "empty.csv")
    (tmp_path / "blank.csv").write_text("\n \n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no rows"):
        read_towers(tmp_path / "blank.csv")
    (tmp_path / "header.csv").write_text(VN_HEADER + "\n", encoding="utf-8-sig")
    with pytest.raises(InputFileError, match="header but no tower rows"):
        read_towers(tmp_path / "header.csv")
    make_xlsx(tmp_path / "header.xlsx", [XLSX_ROWS[0]])
    with pytest.raises(InputFileError, match="header but no tower rows"):
        read_towers(tmp_path / "header.xlsx")
    (tmp_path / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputFileError, match="Excel"):
        read_towers(tmp_path / "fake.xlsx")


def test_missing_coordinates_lists_columns_and_accepted_names(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Mã trạm;Nhà mạng;Toạ độ\nA;Viettel;22.4 103.9\n", encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        read_towers(path)
    text = str(info.value)
    assert "Mã trạm, Nhà mạng, Toạ độ" in text
    assert "kinh do" in text and "latitude" in text and "t.csv" in text


def test_bad_coordinate_names_row_column_value(tmp_path):
    rows = list(VN_ROWS)
    rows[2] = rows[2].replace("22,5363", "22°75'")
    path = write_vn_csv(tmp_path / "t.csv", rows=rows)
    with pytest.raises(SchemaError, match=r"row 4, column 'Vĩ độ', value \"22°75'\": minutes"):
        read_quiet(path)
    rows = list(VN_ROWS)
    rows[0] = rows[0].replace("103,975", "")
    path = write_vn_csv(tmp_path / "t2.csv", rows=rows)
    with pytest.raises(SchemaError, match="row 2, column 'Kinh độ'.*both coordinates"):
        read_quiet(path)


def test_swapped_lon_lat_is_explained_and_fixable(tmp_path):
    header = VN_HEADER.replace("Kinh độ;Vĩ độ", "Vĩ độ;Kinh độ")  # lat column first
    decimal_rows = [VN_ROWS[0], VN_ROWS[2], VN_ROWS[3]]  # values still lon;lat
    path = write_vn_csv(tmp_path / "t.csv", rows=decimal_rows, header=header)
    with pytest.raises(SchemaError, match="swap_xy=True") as info:
        read_quiet(path)
    assert "3 tower(s)" in str(info.value) and "latitude beyond ±90" in str(info.value)
    assert "row 2 (x=22.48 in 'Kinh độ', y=103.975 in 'Vĩ độ')" in str(info.value)
    # hemisphere letters in DMS give it away cell by cell
    dms = write_vn_csv(tmp_path / "dms.csv", rows=VN_ROWS, header=header)
    with pytest.raises(SchemaError, match=r"row 3, column 'Kinh độ'.*swap_xy=True"):
        read_quiet(dms)
    fixed = read_quiet(dms, swap_xy=True)
    expected = read_quiet(write_vn_csv(tmp_path / "right.csv"))
    assert fixed.geometry.equals(expected.geometry)


def test_swapped_projected_xy(tmp_path):
    # VN surveys write X = northing, Y = easting: here in UTM 48N
    path = tmp_path / "utm.csv"
    path.write_text("site_id,x,y\nA,2485000,435000\nB,2490000,440000\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="x and y exchanged.*swap_xy=True"):
        read_quiet(path, crs="EPSG:32648")
    towers = read_quiet(path, crs="EPSG:32648", swap_xy=True)
    assert towers.geometry.x.tolist() == [435000.0, 440000.0]
    assert towers.crs.to_epsg() == 32648


def test_duplicates_error_or_suffix(tmp_path):
    rows = list(VN_ROWS)
    rows[2] = rows[2].replace("LCI003", "LCI001")
    rows[3] = rows[3].replace("LCI004", "LCI001")
    path = write_vn_csv(tmp_path / "t.csv", rows=rows)
    with pytest.raises(SchemaError, match=r"'LCI001' at row 2, row 4, row 5.*on_duplicate"):
        read_quiet(path)
    towers = read_quiet(path, on_duplicate="suffix")
    assert towers["site_id"].tolist() == ["LCI001", "LCI002", "LCI001-2", "LCI001-3"]
    assert towers["site_id"].is_unique


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (";35;4G;", ";-5;4G;", r"row 2, column 'Độ cao anten', value '-5'.*0-300"),
        (";35;4G;", ";350;4G;", "antenna_height_m must be 0-300"),
        (";1800;60;", ";18000;60;", r"row 2, column 'Tần số \(MHz\)'.*100-6000"),
        (";1800;60;", ";1,8;60;", "frequency_mhz must be 100-6000"),
        (";1800;60;", ";abc;60;", "not a number"),
        (";1800;60;", ";900/1800;60;", "several values"),
        (";60;120;", ";60;0/120/240;", "one row per sector"),
        (";60;120;", ";60 kWh;120;", "unknown power unit"),
        (";4G;", ";2G/4G;", "several technologies"),
        (";4G;", ";CDMA;", "CDMA"),
    ],
)
def test_implausible_or_unreadable_values(tmp_path, old, new, message):
    rows = [VN_ROWS[0].replace(old, new)] + VN_ROWS[1:]
    assert rows[0] != VN_ROWS[0]
    with pytest.raises(SchemaError, match=message):
        read_quiet(write_vn_csv(tmp_path / "t.csv", rows=rows))


def test_units_in_headers_and_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "site_id;lon;lat;Tần số (GHz);EIRP (W);Độ cao anten (m)\n"
        "A;103.9;22.4;3,5;200;30\n"
        "B;103.9;22.5;1.8;60 dBm;30\n"
        "C;103.9;22.6;900 MHz;0.2 kW;30\n",
        encoding="utf-8",
    )
    towers = read_quiet(path)
    assert towers["frequency_mhz"].tolist() == pytest.approx([3500.0, 1800.0, 900.0])
    assert towers["eirp_dbm"].tolist() == pytest.approx([53.0103, 60.0, 53.0103], abs=1e-4)
    path.write_text("site_id;lon;lat;EIRP (kWh)\nA;103.9;22.4;3\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="unknown power unit 'kwh'"):
        read_quiet(path)


def test_decimal_comma_in_comma_separated_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("site_id,lon,lat\nA,103,9,22,4\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="row 2 has 5 cells.*decimal comma"):
        read_towers(path)


# ----------------------------------------------------------------- defaults


def test_one_defaults_warning_with_counts_and_overrides(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "lon;lat;Công nghệ\n103.9;22.4;2G\n104.0;22.5;\n104.1;22.6;5G\n", encoding="utf-8"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        towers = read_towers(path)
    assert [w.category for w in caught] == [DefaultsUsedWarning]
    message = str(caught[0].message)
    for part in ("technology 1", "site_id 3", "operator 3", "frequency_mhz 3", "tilt_deg 3"):
        assert part in message
    assert towers["technology"].tolist() == ["2G", "4G", "5G"]
    assert towers["frequency_mhz"].tolist() == [900.0, 1800.0, 3500.0]
    assert towers["site_id"].tolist() == ["row-2", "row-3", "row-4"]
    assert towers["operator"].eq("unknown").all()
    with pytest.warns(DefaultsUsedWarning):
        custom = read_towers(
            path,
            defaults={"technology": "3G", "operator": "Viettel", "antenna_height_m": 20,
                      "5G": {"frequency_mhz": 2600, "eirp_dbm": 70}},
        )  # fmt: skip
    assert custom["technology"].tolist() == ["2G", "3G", "5G"]
    assert custom["frequency_mhz"].tolist() == [900.0, 2100.0, 2600.0]
    assert custom["eirp_dbm"].iloc[2] == 70.0
    assert custom["antenna_height_m"].eq(20.0).all() and custom["operator"].eq("Viettel").all()
    with pytest.raises(SchemaError, match=r"antenna_height_m \(default\).*0-300"):
        read_towers(path, defaults={"antenna_height_m": 400})


def test_complete_file_warns_nothing(tmp_path):
    rows = [r for r in VN_ROWS[:3]]
    path = write_vn_csv(tmp_path / "t.csv", rows=rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        towers = read_towers(path)
    assert towers["azimuth_deg"].tolist() == [120.0, 0.0, 240.0]


def test_towers_from_frame_keeps_index_and_wraps_azimuth():
    frame = pd.DataFrame(
        {"site_id": ["A", "B"], "lon": [103.9, 104.0], "lat": [22.4, 22.5],
         "azimuth": [360, -90], "technology": ["4G", "4G"], "frequency": [1800, 1800],
         "eirp": [60, 60], "height": [30, 30], "tilt": [3, 3], "beamwidth": [65, 65],
         "operator": ["Viettel", "Viettel"]},
        index=[10, 20],
    )  # fmt: skip
    towers = towers_from_frame(frame)
    assert towers.index.tolist() == [10, 20]
    assert towers["azimuth_deg"].tolist() == [0.0, 270.0]


# ----------------------------------------------------------------- writing


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson", ".gpkg"])
def test_round_trip_every_format(tmp_path, vn_towers, suffix):
    out = write_towers(vn_towers, tmp_path / f"out{suffix}")
    again = read_towers(out)  # complete now: no defaults, no warning
    pd.testing.assert_frame_equal(
        pd.DataFrame(again.drop(columns="geometry")),
        pd.DataFrame(vn_towers.drop(columns="geometry")),
    )
    if suffix == ".xlsx":  # Excel keeps 16 significant digits
        assert again.geometry.geom_equals_exact(vn_towers.geometry, tolerance=1e-12).all()
    else:
        assert again.geometry.equals(vn_towers.geometry)
    assert again.crs == vn_towers.crs


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".gpkg"])
def test_round_trip_opencellid(tmp_path, suffix):
    towers = read_quiet(DATA / "opencellid_452.csv")
    again = read_towers(write_towers(towers, tmp_path / f"ocid{suffix}"))
    pd.testing.assert_frame_equal(again, towers, check_dtype=suffix != ".gpkg")


def test_csv_output_opens_in_excel(tmp_path, vn_towers):
    out = write_towers(vn_towers, tmp_path / "out.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[: len(TOWER_COLUMNS) + 2] == [*TOWER_COLUMNS, "lon", "lat"]
    assert "Ghi chú" in header


def test_projected_towers_to_csv_are_lon_lat(tmp_path, vn_towers):
    utm = vn_towers.to_crs("EPSG:32648")
    again = read_towers(write_towers(utm, tmp_path / "utm.csv"))
    assert again.crs.to_epsg() == 4326
    assert np.allclose(again.geometry.x, vn_towers.geometry.x, atol=1e-9)
    kept = read_towers(write_towers(utm, tmp_path / "utm.gpkg"))
    assert kept.crs.to_epsg() == 32648


def test_write_refuses_overwrite_bad_suffix_and_raw_tables(tmp_path, vn_towers):
    out = write_towers(vn_towers, tmp_path / "t.geojson")
    before = out.read_bytes()
    with pytest.raises(OutputExistsError, match="overwrite=True"):
        write_towers(vn_towers, out)
    assert out.read_bytes() == before
    write_towers(vn_towers.iloc[:1], out, overwrite=True)
    assert len(read_towers(out)) == 1
    with pytest.raises(InputFileError, match=".shp"):
        write_towers(vn_towers, tmp_path / "t.shp")
    with pytest.raises(SchemaError, match="normalised columns"):
        write_towers(vn_towers.drop(columns="eirp_dbm"), tmp_path / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.geojson", "tram.csv"]


# ----------------------------------------------------------------- within communes


@pytest.fixture
def communes():
    return gpd.GeoDataFrame(
        {"commune": ["Sa Pa", "Bát Xát"]},
        geometry=[box(103.7, 22.2, 104.0, 22.5), box(103.6, 22.5, 104.0, 22.8)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32648")


def test_towers_within_communes(communes, vn_towers):
    with pytest.warns(CoverageWarning, match="1 of 4 tower") as caught:
        within = check_towers_within(vn_towers, communes)
    assert within.tolist() == [True, True, False, True]
    assert within.name == "within_communes" and within.index.equals(vn_towers.index)
    assert "LCI003" in str(caught[0].message) and "km outside" in str(caught[0].message)
    with pytest.raises(SchemaError, match="LCI003"):
        check_towers_within(vn_towers, communes, on_outside="raise")
    assert check_towers_within(vn_towers, communes, buffer_m=40_000).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_towers_within(vn_towers, communes, on_outside="ignore")


def test_within_communes_hints_swap():
    # lon/lat exchanged, both within ±90 so read_towers could not tell
    area = gpd.GeoDataFrame(geometry=[box(10.0, 20.0, 12.0, 22.0)], crs=4326)
    towers = gpd.GeoDataFrame(
        {"site_id": ["ok", "Z", "far"]},
        geometry=[Point(11.0, 21.0), Point(21.0, 11.0), Point(30.0, 50.0)],
        crs=4326,
    )
    with pytest.raises(SchemaError, match="2 of 3") as info:
        check_towers_within(towers, area, on_outside="raise")
    lines = str(info.value).splitlines()
    assert "swap_xy=True" in next(line for line in lines if line.strip().startswith("Z "))
    assert "swap_xy" not in next(line for line in lines if line.strip().startswith("far "))


def test_an_xlsx_with_an_empty_first_sheet_says_so(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    data = book.create_sheet("towers")
    data.append(["site_id", "operator", "lon", "lat"])
    data.append(["A1", "Viettel", 104.0, 22.5])
    book.save(tmp_path / "towers.xlsx")
    with pytest.raises(InputFileError, match="first sheet 'Sheet' is empty; the data is on sheet"):
        read_towers(tmp_path / "towers.xlsx")
    assert read_quiet(tmp_path / "towers.xlsx", sheet="towers")["site_id"].tolist() == ["A1"]
