"""`phusong info` (coverage.io.describe): what a file holds, in English and in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coverage.cli import main
from coverage.i18n import language
from coverage.io.describe import describe
from coverage.io.towers import read_towers


def _info(path: Path, lang: str) -> list[str]:
    result = CliRunner().invoke(main, ["info", str(path), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_a_raster_in_both_languages(small_scenario: dict) -> None:
    dem = small_scenario["dem"]
    english, vietnamese = _info(dem, "en"), _info(dem, "vi")
    assert english[:5] == [
        f"file: {dem}",
        "kind: raster",
        "size: 300 x 300 cells, 1 band(s), float32",
        "CRS: EPSG:32648",
        "cell size: 60 x 60 (CRS units)",
    ]
    assert "nodata: None" in english and "void cells: 0 of 90000" in english
    assert vietnamese[:5] == [
        f"tệp: {dem}",
        "loại: raster",
        "kích thước: 300 x 300 ô, 1 kênh (band), float32",
        "hệ tọa độ (CRS): EPSG:32648",
        "kích thước ô: 60 x 60 (đơn vị của hệ tọa độ)",
    ]
    assert "giá trị nodata: None" in vietnamese and "ô trống: 0 trên 90000" in vietnamese
    assert len(english) == len(vietnamese)
    # the values line: the same numbers after each language's label
    values = [line.partition(": ")[2] for line in english if line.startswith("values: ")]
    assert values and f"giá trị: {values[0]}" in vietnamese


def test_a_vector_file_in_both_languages(small_scenario: dict) -> None:
    communes = small_scenario["communes"]
    english, vietnamese = _info(communes, "en"), _info(communes, "vi")
    assert english[0] == f"file: {communes}" and vietnamese[0] == f"tệp: {communes}"
    assert english[1].startswith("layers: ") and vietnamese[1].startswith("các lớp: ")
    assert english[1].partition(": ")[2] == vietnamese[1].partition(": ")[2]
    assert english[2:5] == ["kind: communes", "CRS: EPSG:4326", "rows: 4"]
    assert vietnamese[2:5] == ["loại: ranh giới xã", "hệ tọa độ (CRS): EPSG:4326", "số dòng: 4"]
    assert english[5] == "normalised columns: commune_id, name, district, province"
    assert vietnamese[5] == "các cột đã chuẩn hóa: commune_id, name, district, province"
    assert english[6].startswith("original columns: ") and "ma_xa" in english[6]
    assert vietnamese[6] == "các cột gốc: " + english[6].partition(": ")[2]
    assert "Y Tý" in english[7] and vietnamese[7] == "xem trước: " + english[7].partition(": ")[2]


def test_a_table_in_both_languages(tmp_path: Path) -> None:
    table = tmp_path / "towers.csv"
    table.write_text(
        "site_id,operator,lon,lat,technology\nA,Viettel,103.9,22.4,4G\n,Viettel,103.91,22.41,\n",
        encoding="utf-8",
    )
    english, vietnamese = _info(table, "en"), _info(table, "vi")
    assert english[1:4] == ["kind: towers", "CRS: EPSG:4326", "rows: 2"]
    assert vietnamese[1:4] == ["loại: danh sách trạm", "hệ tọa độ (CRS): EPSG:4326", "số dòng: 2"]
    assert english[5] == "original columns: " and vietnamese[5] == "các cột gốc: "
    assert english[7].startswith("problem (repaired or defaulted): tower file ")
    assert vietnamese[7].startswith("vấn đề (đã sửa hoặc dùng giá trị mặc định): tệp trạm ")
    # a row without a site id is named by its row, the same in every language
    assert "'site_id': 'row-3'" in english[6] and "'site_id': 'row-3'" in vietnamese[6]


def test_python_callers_choose_the_language(small_scenario: dict) -> None:
    assert describe(small_scenario["towers"]).splitlines()[1] == "kind: towers"
    with language("vi"):
        assert describe(small_scenario["towers"]).splitlines()[1] == "loại: danh sách trạm"
        towers = read_towers(small_scenario["towers"])
    assert describe(small_scenario["towers"]).splitlines()[1] == "kind: towers"
    assert list(towers["site_id"]) == ["S0", "S1", "S2"]


@pytest.mark.parametrize(("lang", "row"), [("en", "row 3"), ("vi", "dòng 3")])
def test_bad_cells_are_named_by_a_row_in_the_language(tmp_path: Path, lang: str, row: str) -> None:
    table = tmp_path / "towers.csv"
    table.write_text(
        "site_id,operator,lon,lat,frequency_mhz\nA,Viettel,103.9,22.4,900\n"
        "B,Viettel,103.91,22.41,9OO\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["info", str(table), "--lang", lang])
    assert result.exit_code != 0
    assert f"{row}, " in result.output and "'9OO'" in result.output


def test_row_labels_keep_their_words_when_copied_or_pickled() -> None:
    """A label is written once, when made; copies (pandas attrs, Dask) neither re-translate it
    nor lose its number."""
    import copy
    import pickle

    from coverage.io.cells import RowLabel

    with language("vi"):
        label = RowLabel(3)
    for again in (copy.deepcopy(label), pickle.loads(pickle.dumps(label))):
        assert (again, again.number, type(again)) == ("dòng 3", 3, RowLabel)
    assert RowLabel(3) == "row 3"
