"""The library's errors in the command's language: Vietnamese with ``--lang vi``, English as before.

The errors a user meets first (option checks, input files, the DEM, existing outputs, the
memory refusal) are written from ``messages/<lang>/errors.po`` in the language
:func:`coverage.i18n.language` chose; the command line chooses it from ``--lang``,
``PHUSONG_LANG`` or the locale. English stays the default, word for word as before.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from coverage.errors import InputFileError, MissingFileError, OutputExistsError
from coverage.i18n import current_language, language, message, term
from coverage.io.files import check_output, existing_file


def _cli(*args: object, env: dict[str, str] | None = None):
    from click.testing import CliRunner

    from coverage.cli import main

    environment = {"PHUSONG_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
    return CliRunner().invoke(main, [str(a) for a in args], env=environment | (env or {}))


def _gaps(scenario: dict, tmp_path: Path, *extra: object, **files: object) -> list[object]:
    inputs = {"communes": scenario["communes"], "towers": scenario["towers"]}
    inputs |= {"dem": scenario["dem"], "out": tmp_path / "gaps.csv"} | files
    args: list[object] = ["gaps"]
    for name, value in inputs.items():
        args += [f"--{name}", value]
    return args + ["--radius", "4000", "--population-column", "dan_so", *extra]


def _line(result) -> str:
    """The one line a failed command prints (and nothing else)."""
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def _both(args: list[object], env: dict[str, str] | None = None) -> tuple[str, str, int]:
    """(English line, Vietnamese line, exit code), checking both exit the same way."""
    english, vietnamese = _cli(*args, "--lang", "en", env=env), _cli(*args, "--lang", "vi", env=env)
    assert english.exit_code == vietnamese.exit_code != 0
    return _line(english), _line(vietnamese), english.exit_code


# ------------------------------------------------------------------ Python: English by default


def test_python_callers_get_english_unless_they_choose() -> None:
    with pytest.raises(MissingFileError) as english:
        existing_file("nowhere/towers.csv", what="towers")
    assert str(english.value) == (
        "towers file not found: nowhere/towers.csv. Check the path and spelling."
    )
    with language("vi"), pytest.raises(MissingFileError) as vietnamese:
        existing_file("nowhere/towers.csv", what="towers")
    assert str(vietnamese.value) == (
        "không tìm thấy tệp danh sách trạm: nowhere/towers.csv. Hãy kiểm tra đường dẫn và chính tả."
    )
    assert current_language() == "en"  # the block ends, English again


def test_the_choice_belongs_to_one_thread() -> None:
    seen: list[str] = []
    with language("vi"):
        worker = threading.Thread(target=lambda: seen.append(message("errors.dem_no_paths")))
        worker.start()
        worker.join()
        seen.append(message("errors.dem_no_paths"))
    assert seen == ["an empty list of paths", "một danh sách đường dẫn rỗng"]


def test_nouns_and_unknown_words(tmp_path: Path) -> None:
    with language("vi"):
        assert term("communes") == "ranh giới xã"
        assert term("something else") == "something else"  # no entry: as given
        (tmp_path / "empty.csv").write_bytes(b"")
        with pytest.raises(InputFileError, match="^tệp đo kiểm .*empty.csv trống"):
            existing_file(tmp_path / "empty.csv", what="measurement")
    assert term("communes") == "communes"


def test_unknown_language_is_refused() -> None:
    from coverage.errors import SchemaError

    with pytest.raises(SchemaError, match="no language 'fr'"), language("fr"):
        pass


# ------------------------------------------------------------------ the command line


def test_option_out_of_range(small_scenario: dict, tmp_path: Path) -> None:
    args = _gaps(small_scenario, tmp_path)
    args[args.index("--radius") + 1] = "0"
    english, vietnamese, code = _both(args)
    assert code == 2
    assert english.startswith(
        "Error: Invalid value for '--radius': 0.0 is not in the range x>0.0. "
    )
    assert vietnamese.startswith(
        "Lỗi: Giá trị không hợp lệ cho '--radius': 0.0 nằm ngoài khoảng cho phép x>0.0. "
        "Xem hướng dẫn: '"
    ), vietnamese


def test_nan_and_threshold_options(small_scenario: dict, tmp_path: Path) -> None:
    english, vietnamese, _ = _both(_gaps(small_scenario, tmp_path, "--rx-height", "nan"))
    assert "Invalid value for '--rx-height': 'nan' is not a finite number." in english
    assert "Giá trị không hợp lệ cho '--rx-height': 'nan' không phải là một số hữu hạn." in (
        vietnamese
    )
    english, vietnamese, _ = _both(_gaps(small_scenario, tmp_path, "--threshold", "LTE=-100"))
    assert "'LTE=-100': unknown technology 'LTE'; use one of 2G, 3G, 4G, 5G" in english
    assert "'LTE=-100': không biết công nghệ 'LTE'; hãy dùng một trong 2G, 3G, 4G, 5G" in (
        vietnamese
    )
    english, vietnamese, _ = _both(_gaps(small_scenario, tmp_path, "--threshold", "4G=-5"))
    assert "'4G=-5': -5.0 is not in the range -160.0<=x<=-20.0." in english
    assert "'4G=-5': -5.0 nằm ngoài khoảng cho phép -160.0<=x<=-20.0." in vietnamese


def test_tower_file_without_coordinates(small_scenario: dict, tmp_path: Path) -> None:
    towers = tmp_path / "towers.csv"
    towers.write_text("Mã trạm,Nhà mạng,Công nghệ\nS1,Viettel,4G\n", encoding="utf-8")
    english, vietnamese, code = _both(_gaps(small_scenario, tmp_path, towers=towers))
    assert code == 2
    assert english.startswith(
        f"Error: tower file {towers}: no coordinate columns found. Columns present: "
    )
    assert vietnamese.startswith(
        f"Lỗi: tệp trạm {towers}: không tìm thấy cột tọa độ. Các cột có trong tệp: "
    )
    assert "Mã trạm, Nhà mạng, Công nghệ" in vietnamese


def test_dem_that_is_not_a_raster(small_scenario: dict, tmp_path: Path) -> None:
    dem = tmp_path / "dem.tif"
    dem.write_text("this is not a GeoTIFF\n", encoding="utf-8")
    english, vietnamese, code = _both(_gaps(small_scenario, tmp_path, dem=dem))
    assert code == 2
    assert english.startswith(f"Error: elevation file {dem} cannot be read as a raster (")
    assert english.endswith("; give a GeoTIFF or an SRTM .hgt tile named like N22E103.hgt.")
    assert vietnamese.startswith(f"Lỗi: không đọc được tệp độ cao {dem} như một raster (")
    assert vietnamese.endswith(
        "; hãy cho một tệp GeoTIFF hoặc một mảnh SRTM .hgt có tên dạng N22E103.hgt."
    )


def test_existing_output(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    out.write_text("kept\n", encoding="utf-8")
    english, vietnamese, code = _both(_gaps(small_scenario, tmp_path))
    assert code == 2
    assert english == f"Error: {out} exists; pass overwrite=True (CLI: --overwrite) to replace it."
    assert vietnamese == (
        f"Lỗi: {out} đã tồn tại; hãy cho overwrite=True (dòng lệnh: --overwrite) để ghi đè."
    )
    assert out.read_text(encoding="utf-8") == "kept\n"
    with pytest.raises(OutputExistsError, match="exists; pass overwrite=True"):
        check_output(out, overwrite=False)  # Python, after the commands: English


def test_memory_refusal(small_scenario: dict, tmp_path: Path) -> None:
    limit = {"PHUSONG_MEMORY_LIMIT": "1MB"}
    english, vietnamese, code = _both(_gaps(small_scenario, tmp_path), env=limit)
    assert code == 2
    assert english.startswith("Error: the terrain of ")
    assert "of memory, but 1 MB is available (PHUSONG_MEMORY_LIMIT=1MB); set by --resolution" in (
        english
    )
    assert vietnamese.startswith("Lỗi: địa hình của ")
    assert "bộ nhớ, nhưng chỉ còn 1 MB (PHUSONG_MEMORY_LIMIT=1MB); do --resolution" in vietnamese
    assert vietnamese.endswith("hoặc chia vùng thành các mảnh nhỏ hơn (bounds=).")
    # the environment chooses too, as it does for the command's own lines
    by_environment = _cli(*_gaps(small_scenario, tmp_path), env=limit | {"PHUSONG_LANG": "vi"})
    assert _line(by_environment) == vietnamese


def test_clicks_own_checks_speak_the_command_language(small_scenario: dict, tmp_path: Path) -> None:
    """click's own checks in the command's language too (tests/test_cli_i18n.py: each one)."""
    english, vietnamese, code = _both(_gaps(small_scenario, tmp_path, "--model", "magic"))
    assert code == 2
    choices = "'diffraction', 'fspl', 'hata', 'itm'"
    remainder = f"'magic' is not one of {choices}."
    assert english.startswith(f"Error: Invalid value for '--model': {remainder} See '")
    assert vietnamese.startswith(
        f"Lỗi: Giá trị không hợp lệ cho '--model': 'magic' không phải là một trong {choices}. Xem"
    )
    missing = _cli("gaps", "--lang", "vi", "--towers", small_scenario["towers"])
    assert missing.exit_code == 2
    assert _line(missing).startswith("Lỗi: Thiếu tùy chọn '--communes'.")


def test_the_command_leaves_python_in_english(small_scenario: dict, tmp_path: Path) -> None:
    _cli(*_gaps(small_scenario, tmp_path, "--rx-height", "nan"), "--lang", "vi")
    assert current_language() == "en"
    with pytest.raises(MissingFileError, match="^towers file not found"):
        existing_file(tmp_path / "none.csv", what="towers")


def test_bad_cells_of_a_tower_file(small_scenario: dict, tmp_path: Path) -> None:
    lines = small_scenario["towers"].read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",1800,", ",9OO,")
    towers = tmp_path / "towers.csv"
    towers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    english, vietnamese, code = _both(_gaps(small_scenario, tmp_path, towers=towers))
    assert code == 2
    assert english == (
        f"Error: tower file {towers}: 1 value(s) cannot be used: row 2, column 'Tần số (MHz)', "
        "value '9OO': unknown frequency unit 'oo'; use MHz or GHz Fix these cells in the file "
        "(one value per cell; decimal "
        "degrees or D°M'S\" for coordinates; technologies 2G/3G/4G/5G or GSM/UMTS/LTE/NR), then "
        "read it again."
    )
    # the row label is written in the run's language too ("dòng 2", a spreadsheet's row)
    assert vietnamese == (
        f"Lỗi: tệp trạm {towers}: 1 giá trị không dùng được: dòng 2, cột 'Tần số (MHz)', "
        "giá trị '9OO': không biết đơn vị tần số 'oo'; hãy dùng MHz hoặc GHz Hãy sửa các ô này "
        "trong tệp (mỗi ô một giá trị; tọa độ "
        "theo độ thập phân hoặc D°M'S\"; công nghệ 2G/3G/4G/5G hoặc GSM/UMTS/LTE/NR), rồi đọc "
        "lại tệp."
    )
