"""Reading drive-test exports: headers, units, dropped rows counted, clear errors."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from coverage.errors import SchemaError, UnusableRowsWarning
from coverage.io.measurements import measurement_sites, read_measurements


def test_a_drive_test_app_export_with_a_title_block_and_mcc_mnc(tmp_path) -> None:
    path = tmp_path / "gnet.csv"
    path.write_text(
        "G-NetTrack export\n"
        "Timestamp;Longitude;Latitude;MCC;MNC;NetworkTech;CellID;PCI;EARFCN;RSRP (dBm)\n"
        "2024-05-01 10:00:01;103,90;22,50;452;4;LTE;26891457;101;1650;-95\n"
        "2024-05-01 10:00:02;103,91;22,50;452;2;LTE;26891458;102;1650;-999\n"
        "2024-05-01 10:00:03;;22,50;452;1;LTE;26891459;103;1650;-90\n",
        encoding="utf-8",
    )
    with pytest.warns(UnusableRowsWarning, match=r"2 of 3 row\(s\).*row 4.*row 5"):
        points = read_measurements(path)
    row = points.iloc[0]
    assert (row.operator, row.technology, row.site_id, row.level_dbm) == (
        "Viettel", "4G", "26891457", -95.0,
    )  # fmt: skip
    assert points.attrs["dropped"] == {"implausible level": ["row 4"], "no position": ["row 5"]}
    assert {"PCI", "EARFCN"} <= set(points.columns)  # kept as read


def test_levels_in_watts_are_converted_and_rxlev_indices_accepted(tmp_path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("lat,lon,RSCP (mW),RxLev (index)\n22.5,103.9,1e-9,\n22.5,103.9,,20\n")
    points = read_measurements(path)
    assert points["level_dbm"].tolist() == pytest.approx([-90.0, -90.5])
    assert points["technology"].tolist() == ["3G", "2G"]


def test_no_position_columns_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "nopos.csv"
    path.write_text("site_id,loss_db\nA,120\n")
    with pytest.raises(SchemaError, match=r"nopos.csv: no position columns found"):
        read_measurements(path)


def test_levels_in_an_unknown_unit_name_the_file_and_column(tmp_path) -> None:
    path = tmp_path / "unit.csv"
    path.write_text("lat,lon,RSRP (lux)\n22.5,103.9,55\n")
    with pytest.raises(
        SchemaError, match=r"(?s)unit.csv.*row 2.*'RSRP \(lux\)'.*unknown level unit"
    ):
        read_measurements(path)
    path.write_text("lat,lon,RxLev\n22.5,103.9,35\n22.6,103.9,40\n")
    with pytest.raises(SchemaError, match=r"unit.csv: column 'RxLev' is in an unknown unit.*row 2"):
        read_measurements(path)


def test_recife_names_its_four_transmitters(measurements_dir) -> None:
    points = read_measurements(measurements_dir / "recife_gsm1800.csv")
    assert len(points) == 9308 and points.attrs["dropped"] == {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # beamwidth and operator come from the defaults
        sites = measurement_sites(points)
    assert sites["site_id"].tolist() == ["BTS_01", "BTS_02", "BTS_03", "BTS_04"]
    assert sites["technology"].unique().tolist() == ["2G"]
    assert sites["frequency_mhz"].tolist() == [1835.2, 1840.8, 1864.0, 1836.0]


def test_measurements_without_transmitter_columns_ask_for_a_tower_list() -> None:
    frame = pd.DataFrame({"site_id": ["A"]})
    with pytest.raises(SchemaError, match="--towers"):
        measurement_sites(frame)
