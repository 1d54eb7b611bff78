"""The command line in both languages: click's own errors, ``--help``, log lines, the rule.

English is what click and phusong always wrote; Vietnamese comes from the same catalogue
(``messages/<lang>/cli.po``), chosen by ``--lang``, ``PHUSONG_LANG`` or the locale before
click parses anything (:func:`coverage.cli.wording.command_language`).
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from coverage import __version__
from coverage.cli import main
from coverage.cli.wording import Option, command_language, given_language, usage_text
from coverage.i18n import Translator, current_language

VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
CLEAN = {"PHUSONG_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def _cli(*args: object, env: dict[str, str] | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=CLEAN | (env or {}))


def _line(result: click.testing.Result) -> str:
    """The one line a refused command prints on stderr, nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ------------------------------------------------------------------ the language rule


@pytest.mark.parametrize(
    ("args", "scenario", "environ", "expected"),
    [
        # --lang first, the last one given, in either spelling, wherever it stands
        (["gaps", "--lang", "vi"], None, {"PHUSONG_LANG": "en", "LANG": "en_US"}, "vi"),
        (["--lang", "vi", "gaps", "--lang=en"], "vi", {"PHUSONG_LANG": "vi"}, "en"),
        (["demo", "--lang=en"], "vi", {}, "en"),
        # a value naming no language, or one after "--", is not a choice
        (["gaps", "--lang", "fr"], None, {"PHUSONG_LANG": "vi"}, "vi"),
        (["info", "--", "--lang", "vi"], None, {}, "en"),
        (["info", "--lang"], None, {"LANG": "vi_VN.UTF-8"}, "vi"),
        # then PHUSONG_LANG, over the command's scenario and the locale
        (["demo"], "vi", {"PHUSONG_LANG": "en", "LANG": "vi_VN"}, "en"),
        (["map"], None, {"PHUSONG_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
        # then the scenario (the demo's, the report's), over the locale
        (["demo"], "vi", {"LANG": "en_GB.UTF-8"}, "vi"),
        # then the locale, LC_ALL before LC_MESSAGES before LANG
        (["gaps"], None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
        (["gaps"], None, {"LC_ALL": "", "LC_MESSAGES": "vi_VN", "LANG": "en_US"}, "vi"),
        (["gaps"], None, {"LC_MESSAGES": "en_US", "LANG": "vi_VN"}, "en"),
        (["gaps"], None, {"LANG": "fr_FR.UTF-8"}, "en"),
        # then English; a PHUSONG_LANG naming no language: English (the command refuses it)
        (["gaps"], None, {}, "en"),
        (["gaps"], "vi", {"PHUSONG_LANG": "fr"}, "en"),
    ],
)
def test_language_rule_order(
    args: list[str], scenario: str | None, environ: dict[str, str], expected: str
) -> None:
    assert command_language(args, scenario=scenario, environ=environ) == expected


def test_given_language_is_the_last_valid_one() -> None:
    assert given_language(["--lang", "vi", "--lang", "en"]) == "en"
    assert given_language(["--lang=vi", "--lang", "xx"]) == "vi"
    assert given_language(["--language", "vi", "--lang"]) is None


# --------------------------------------------------------- click's errors, both languages


def _cases(tmp_path: Path) -> list[tuple[list[object], str, str]]:
    """(arguments, English line, Vietnamese line) of each kind of error click raises."""
    missing = tmp_path / "none.tif"
    out = tmp_path / "x.tif"
    return [
        (["viewshed", "--out", out],
         "Error: Missing option '--dem'. See 'main viewshed --help'.",
         "Lỗi: Thiếu tùy chọn '--dem'. Xem hướng dẫn: 'main viewshed --help'."),
        (["info"],
         "Error: Missing argument 'PATH'. See 'main info --help'.",
         "Lỗi: Thiếu đối số 'PATH'. Xem hướng dẫn: 'main info --help'."),
        (["gaps", "--comunes", "x"],
         "Error: No such option '--comunes'. (Did you mean one of: '--communes', "
         "'--previous-communes'?). See 'main gaps --help'.",
         "Lỗi: Không có tùy chọn '--comunes'. (Có phải ý bạn là một trong: '--communes', "
         "'--previous-communes'?). Xem hướng dẫn: 'main gaps --help'."),
        (["--bogus", "gaps"],
         "Error: No such option '--bogus'. Did you mean '--verbose'? See 'main --help'.",
         "Lỗi: Không có tùy chọn '--bogus'. Có phải ý bạn là '--verbose'? Xem hướng dẫn: "
         "'main --help'."),
        (["gaps", "--frobnicate"],
         "Error: No such option '--frobnicate'. See 'main gaps --help'.",
         "Lỗi: Không có tùy chọn '--frobnicate'. Xem hướng dẫn: 'main gaps --help'."),
        (["gasp"],
         "Error: No such command 'gasp'. Did you mean 'gaps'? See 'main --help'.",
         "Lỗi: Không có lệnh 'gasp'. Có phải ý bạn là 'gaps'? Xem hướng dẫn: 'main --help'."),
        (["predict", "--model", "foo"],
         "Error: Invalid value for '--model': 'foo' is not one of 'diffraction', 'fspl', "
         "'hata', 'itm'. See 'main predict --help'.",
         "Lỗi: Giá trị không hợp lệ cho '--model': 'foo' không phải là một trong "
         "'diffraction', 'fspl', 'hata', 'itm'. Xem hướng dẫn: 'main predict --help'."),
        (["viewshed", "--dem", missing],
         f"Error: Invalid value for '--dem': Path '{missing}' does not exist. "
         "See 'main viewshed --help'.",
         f"Lỗi: Giá trị không hợp lệ cho '--dem': Đường dẫn '{missing}' không tồn tại. "
         "Xem hướng dẫn: 'main viewshed --help'."),
        (["predict", "--sites", tmp_path],
         f"Error: Invalid value for '--sites': File '{tmp_path}' is a directory. "
         "See 'main predict --help'.",
         f"Lỗi: Giá trị không hợp lệ cho '--sites': Tệp '{tmp_path}' là một thư mục. "
         "Xem hướng dẫn: 'main predict --help'."),
        (["coverage", "--out", Path(__file__)],
         f"Error: Invalid value for '--out': Directory '{Path(__file__)}' is a file. "
         "See 'main coverage --help'.",
         f"Lỗi: Giá trị không hợp lệ cho '--out': Thư mục '{Path(__file__)}' là một tệp. "
         "Xem hướng dẫn: 'main coverage --help'."),
        (["itm-loss", "--max-profile-points", "abc"],
         "Error: Invalid value for '--max-profile-points': 'abc' is not a valid integer "
         "range. See 'main itm-loss --help'.",
         "Lỗi: Giá trị không hợp lệ cho '--max-profile-points': 'abc' không phải là một số "
         "nguyên hợp lệ. Xem hướng dẫn: 'main itm-loss --help'."),
        (["itm-loss", "--max-profile-points", "1"],
         "Error: Invalid value for '--max-profile-points': 1 is not in the range x>=3. "
         "See 'main itm-loss --help'.",
         "Lỗi: Giá trị không hợp lệ cho '--max-profile-points': 1 nằm ngoài khoảng cho phép "
         "x>=3. Xem hướng dẫn: 'main itm-loss --help'."),
        (["viewshed", "--radius", "abc"],
         "Error: Invalid value for '--radius': 'abc' is not a valid float. "
         "See 'main viewshed --help'.",
         "Lỗi: Giá trị không hợp lệ cho '--radius': 'abc' không phải là một số hợp lệ. "
         "Xem hướng dẫn: 'main viewshed --help'."),
        (["viewshed", "--out"],
         "Error: Option '--out' requires an argument.",
         "Lỗi: Tùy chọn '--out' cần một giá trị."),
        (["viewshed", "--overwrite=yes"],
         "Error: Option '--overwrite' does not take a value.",
         "Lỗi: Tùy chọn '--overwrite' không nhận giá trị."),
        (["info", tmp_path, "a", "b"],
         "Error: Got unexpected extra arguments (a b). See 'main info --help'.",
         "Lỗi: Thừa các đối số không mong đợi (a b). Xem hướng dẫn: 'main info --help'."),
        (["info", tmp_path, "a"],
         "Error: Got unexpected extra argument (a). See 'main info --help'.",
         "Lỗi: Thừa một đối số không mong đợi (a). Xem hướng dẫn: 'main info --help'."),
        (["-v"],
         "Error: Missing command. See 'main --help'.",
         "Lỗi: Thiếu lệnh. Xem hướng dẫn: 'main --help'."),
        (["info", "--lang", "fr", tmp_path],
         "Error: Invalid value for '--lang': 'fr' is not one of 'vi', 'en'. "
         "See 'main info --help'.",
         "Lỗi: Giá trị không hợp lệ cho '--lang': 'fr' không phải là một trong 'vi', 'en'. "
         "Xem hướng dẫn: 'main info --help'."),
    ]  # fmt: skip


def test_clicks_errors_in_english_are_clicks_own(tmp_path: Path) -> None:
    for args, english, _ in _cases(tmp_path):
        assert _line(_cli(*args)) == english, args


@pytest.mark.parametrize(
    "chosen_by", [{"PHUSONG_LANG": "vi"}, {"LANG": "vi_VN.UTF-8"}, {"LC_ALL": "vi_VN"}]
)
def test_clicks_errors_in_vietnamese(tmp_path: Path, chosen_by: dict[str, str]) -> None:
    for args, _, vietnamese in _cases(tmp_path):
        line = _line(_cli(*args, env=chosen_by))
        assert line == vietnamese, args
        assert VIETNAMESE & set(line.lower())


def test_lang_given_on_the_line_chooses_even_before_it_is_parsed(tmp_path: Path) -> None:
    # the error comes from an option before --lang, or from the group before the command
    missing = tmp_path / "none.tif"
    assert _line(_cli("viewshed", "--dem", missing, "--lang", "vi")).startswith(
        "Lỗi: Giá trị không hợp lệ cho '--dem': Đường dẫn"
    )
    assert _line(_cli("--lang", "vi", "gasp")).startswith("Lỗi: Không có lệnh 'gasp'.")
    assert _line(_cli("--lang=vi", "info", tmp_path, "a")).startswith("Lỗi: Thừa một đối số")
    # --lang en wins over the environment
    english = _cli("viewshed", "--dem", missing, "--lang", "en", env={"PHUSONG_LANG": "vi"})
    assert _line(english).startswith("Error: Invalid value for '--dem': Path")


def test_the_demo_speaks_its_scenario_language_unless_told(tmp_path: Path) -> None:
    assert _line(_cli("demo", "--radius", "abc")).startswith("Lỗi: Giá trị không hợp lệ")
    told = _cli("demo", "--radius", "abc", env={"PHUSONG_LANG": "en"})
    assert _line(told).startswith("Error: Invalid value for '--radius'")


def _plain_error(args: list[str]) -> click.UsageError:
    """The error plain click raises for ``args`` (no phusong class in the way)."""
    command = click.Command(
        "x",
        params=[
            click.Option(["--out"]),
            click.Option(["--flag"], is_flag=True),
            click.Option(["--model"], type=click.Choice(["fspl", "hata"]), required=True),
            click.Argument(["path"]),
        ],
    )
    with pytest.raises(click.UsageError) as caught:
        command.make_context("x", args)
    return caught.value


@pytest.mark.parametrize(
    "args",
    [
        ["--ot", "a", "p"],
        ["--xyz", "p"],
        ["--out"],
        ["--flag=1", "p"],
        ["--model", "itm", "p"],
        ["--model", "fspl"],
        ["p"],
    ],
)
def test_usage_text_in_english_is_what_click_writes(args: list[str]) -> None:
    error = _plain_error(args)
    assert usage_text(error, "en") == error.format_message()
    vietnamese = usage_text(error, "vi")
    assert vietnamese != error.format_message() and VIETNAMESE & set(vietnamese.lower())


def test_a_run_leaves_click_and_python_as_they_were(tmp_path: Path) -> None:
    _cli("gaps", "--comunes", "x", env={"PHUSONG_LANG": "vi"})
    assert current_language() == "en"
    error = _plain_error(["--xyz", "p"])
    assert error.format_message() == "No such option '--xyz'."
    with pytest.raises(click.BadParameter, match="is not one of"):
        click.Choice(["a", "c"]).convert("b", None, None)


# --------------------------------------------------------------------------- --help


def _squeeze(text: str) -> str:
    """Text without any whitespace: help is wrapped (and broken at hyphens) to the width."""
    return "".join(text.split())


def _visible_options(command: click.Command) -> list[click.Option]:
    ctx = click.Context(command)
    return [p for p in command.get_params(ctx) if isinstance(p, click.Option) and not p.hidden]


COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_vietnamese_help_of_every_command_has_no_english_left(name: str) -> None:
    command = main.commands[name]
    vi, en = Translator("vi"), Translator("en")
    help_page = _cli(name, "--help", "--lang", "vi")  # --help first: decided before parsing
    assert help_page.exit_code == 0, help_page.output
    page = _squeeze(help_page.output)
    assert page.startswith(_squeeze(f"Cách dùng: main {name} [TÙY_CHỌN]"))
    assert _squeeze(command.help_text.render(vi).partition("\f")[0]) in page
    assert _squeeze(command.help_text.render(en)) not in page
    for option in _visible_options(command):
        if option.opts == ["-h", "--help"]:
            assert _squeeze(vi("cli.click_help_option")) in page
            continue
        assert isinstance(option, Option) and option.help_text is not None, option.opts
        assert _squeeze(option.help_text.render(vi)) in page, option.opts
        assert _squeeze(option.help_text.render(en)) not in page, option.opts
    for english in ("Usage:", "Options:", "[default:", "[required]", "Show this message"):
        assert english not in help_page.output
    # click's placeholders of a value's type: " FILE ", " PATH "... after an option name
    for placeholder in ("FILE", "PATH", "DIRECTORY", "TEXT", "INTEGER"):
        assert not re.search(rf"--[a-z-]+ {placeholder}\b", help_page.output), placeholder
    assert VIETNAMESE & set(help_page.output.lower())


@pytest.mark.parametrize("name", COMMANDS)
def test_english_help_is_todays(name: str) -> None:
    command = main.commands[name]
    help_page = _cli(name, "--help")
    assert help_page.exit_code == 0
    assert help_page.output.startswith(f"Usage: main {name} [OPTIONS]")
    page = _squeeze(help_page.output)
    # the command's help is its docstring, word for word
    assert _squeeze(inspect.cleandoc(command.callback.__doc__ or "").partition("\f")[0]) in page
    for option in _visible_options(command):
        assert _squeeze(option.help or "") in page, option.opts
    assert "Options:" in help_page.output and "Show this message and exit." in help_page.output


def test_group_help_in_each_way_of_asking() -> None:
    vi = Translator("vi")
    asked = [
        _cli("--help", env={"PHUSONG_LANG": "vi"}),
        _cli("--lang", "vi", "--help"),
        _cli("--help", "--lang", "vi"),
        _cli("--help", env={"LANG": "vi_VN.UTF-8"}),
        _cli(env={"PHUSONG_LANG": "vi"}),  # no command: the help, in the language too
    ]
    for result in asked:
        assert result.output.startswith("Cách dùng: main [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]..."), result
        assert "\nLệnh:\n" in result.output and "\nTùy chọn:\n" in result.output
        for name, command in main.commands.items():
            short = command.help_text.render(vi)[:20]
            assert f"  {name} " in result.output and _squeeze(short) in _squeeze(result.output)
    english = _cli("--help", "--lang", "en", env={"PHUSONG_LANG": "vi"})
    assert english.output.startswith("Usage: main [OPTIONS] COMMAND [ARGS]...")
    assert "\nCommands:\n" in english.output


def test_map_help_from_the_environment_and_demo_help_from_the_user() -> None:
    vietnamese = _cli("map", "--help", env={"PHUSONG_LANG": "vi"}).output
    assert "Bản đồ tương tác (Folium)" in vietnamese and "[bắt buộc]" in vietnamese
    assert "[mặc định: diffraction]" in vietnamese
    # the demo's scenario is Vietnamese, its help follows the user (here: English)
    assert _cli("demo", "--help").output.startswith("Usage: main demo [OPTIONS]")


def test_version_in_both_languages() -> None:
    assert _cli("--version").output == f"phusong, version {__version__}\n"
    assert _cli("--version", "--lang", "vi").output == f"phusong, phiên bản {__version__}\n"


# ---------------------------------------------------------------------- log lines


def test_log_lines_in_the_command_language(small_scenario: dict, tmp_path: Path) -> None:
    site = f"{small_scenario['lon'][0]:.6f},{small_scenario['lat'][0]:.6f}"
    args = ["-v", "viewshed", "--dem", small_scenario["dem"], "--site", site, "--radius", "2000"]
    vietnamese = _cli(*args, "--out", tmp_path / "vi.tif", "--lang", "vi")
    assert vietnamese.exit_code == 0, vietnamese.output
    assert f"THÔNG TIN coverage: đã ghi 1 kênh (band) tầm nhìn thẳng vào {tmp_path}" in (
        vietnamese.stderr
    )
    english = _cli(*args, "--out", tmp_path / "en.tif")
    assert english.exit_code == 0, english.output
    assert f"INFO coverage: wrote 1 viewshed band(s) to {tmp_path / 'en.tif'}" in english.stderr


# ------------------------------------------------------------- the installed program


def test_the_installed_program_speaks_vietnamese(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("phusong")
    if not script.exists():
        pytest.skip("the phusong console script is not installed beside this Python")
    environment = {"PATH": str(script.parent), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}

    def run(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
            env=environment | env, timeout=120,
        )  # fmt: skip

    wrong = run("gaps", "--comunes", "x", PHUSONG_LANG="vi")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr == (
        "Lỗi: Không có tùy chọn '--comunes'. (Có phải ý bạn là một trong: '--communes', "
        "'--previous-communes'?). Xem hướng dẫn: 'phusong gaps --help'.\n"
    )
    english = run("gaps", "--comunes", "x")
    assert english.returncode == 2 and english.stderr.startswith(
        "Error: No such option '--comunes'. (Did you mean one of:"
    )
    help_page = run("gaps", "--help", "--lang", "vi")
    assert help_page.returncode == 0
    assert help_page.stdout.startswith("Cách dùng: phusong gaps [TÙY_CHỌN]")
