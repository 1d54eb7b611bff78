"""The `phusong` command line, end to end on small synthetic files."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import click
import numpy as np
import openpyxl
import pytest
import rasterio
from click.testing import CliRunner

from coverage import settings
from coverage.analysis import analyse
from coverage.cli import main, options, reporting
from coverage.datasets import laocai_demo
from coverage.errors import ModelRangeError, TerrainError
from coverage.io.terrain import open_terrain
from coverage.model import MODELS, predict
from coverage.physics.itm.environment import ItmEnvironment
from coverage.site_rasters import site_frame, viewshed_bands


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_help_lists_commands() -> None:
    out = _run("--help")
    for command in ("info", "viewshed", "predict", "itm-loss", "coverage", "gaps", "map", "demo"):
        assert command in out


def test_info_describes_each_kind(small_scenario: dict) -> None:
    assert "kind: towers" in _run("info", small_scenario["towers"])
    assert "kind: communes" in _run("info", small_scenario["communes"])
    raster = _run("info", small_scenario["dem"])
    assert "kind: raster" in raster and "EPSG:32648" in raster


def test_viewshed_one_band_per_site(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "vs.tif"
    sites = [f"{small_scenario['lon'][i]:.6f},{small_scenario['lat'][i]:.6f}" for i in range(2)]
    _run(
        "viewshed",
        "--dem",
        small_scenario["dem"],
        "--site",
        sites[0],
        "--site",
        sites[1],
        "--height",
        30,
        "--rx-height",
        1.5,
        "--radius",
        2000,
        "--out",
        out,
    )
    with rasterio.open(out) as src:
        assert src.count == 2 and src.crs.to_epsg() == 32648 and src.nodata == 255
        band = src.read(1)
    assert set(np.unique(band)) <= {0, 1, 255} and (band == 1).sum() > 100
    again = CliRunner().invoke(
        main,
        [
            "viewshed",
            "--dem",
            str(small_scenario["dem"]),
            "--site",
            sites[0],
            "--radius",
            "2000",
            "--out",
            str(out),
        ],
    )
    assert again.exit_code == 2 and "--overwrite" in again.output  # refuses, file kept
    assert out.exists()


def test_predict_writes_float32_dbm(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "power.tif"
    site = f"{small_scenario['lon'][0]:.6f},{small_scenario['lat'][0]:.6f}"
    _run(
        "predict",
        "--dem",
        small_scenario["dem"],
        "--site",
        site,
        "--height",
        30,
        "--frequency",
        900,
        "--eirp",
        55,
        "--radius",
        3000,
        "--model",
        "diffraction",
        "--out",
        out,
    )
    with rasterio.open(out) as src:
        power = src.read(1)
        assert src.dtypes[0] == "float32"
    assert -200 < np.nanmin(power) < np.nanmax(power) < 55


def test_site_outside_dem_is_a_clear_error(small_scenario: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "predict",
            "--dem",
            str(small_scenario["dem"]),
            "--site",
            "105.9,21.0",
            "--radius",
            "3000",
            "--out",
            str(tmp_path / "x.tif"),
        ],
    )
    assert result.exit_code == 2 and "outside" in result.output
    assert not (tmp_path / "x.tif").exists()


def test_coverage_folder(small_scenario: dict, tmp_path: Path) -> None:
    out = _run(
        "coverage",
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--radius",
        4000,
        "--out",
        tmp_path / "cov",
    )
    assert "best_power_dbm.tif" in out
    with rasterio.open(tmp_path / "cov" / "best_power_dbm.tif") as src:
        assert src.count == 2 and src.descriptions == ("MobiFone 4G", "Viettel 4G")


def test_gaps_xlsx_reads_back_with_diacritics(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.xlsx"
    _run(
        "gaps",
        "--communes",
        small_scenario["communes"],
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--out",
        out,
    )
    book = openpyxl.load_workbook(out)
    assert {"summary", "all operators", "no operator", "Viettel", "MobiFone"} <= set(
        book.sheetnames
    )
    summary = book["summary"]
    header = [c.value for c in summary[1]]
    names = [row[header.index("name")] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert "Y Tý" in names and "Mường Hum" in names
    people = {
        row[header.index("name")]: row[header.index("population")]
        for row in summary.iter_rows(min_row=2, values_only=True)
    }
    assert people["Y Tý"] == pytest.approx(4000, rel=0.01)


def test_gaps_csv_has_bom(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    _run(
        "gaps",
        "--communes",
        small_scenario["communes"],
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--out",
        out,
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_map_offline_single_file(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    _run(
        "map",
        "--communes",
        small_scenario["communes"],
        "--towers",
        small_scenario["towers"],
        "--dem",
        small_scenario["dem"],
        "--population-column",
        "dan_so",
        "--radius",
        4000,
        "--offline",
        "--synthetic",
        "terrain",
        "--commune",
        "Y Ty",
        "--out",
        out,
    )
    text = out.read_text(encoding="utf-8")
    assert '<script src="http' not in text
    assert "Y Tý" in text or "Y T\\u00fd" in text  # the focus commune's name, maybe JSON-escaped


# ------------------------------------------------------------- one option, one default

#: Options whose default is the demo scenario's own, not the library's (documented in --help).
SCENARIO_OWN = {("demo", "--radius"), ("demo", "--out")}
SETTINGS_DEFAULTS = {
    "--rx-height": settings.RX_HEIGHT_M,
    "--height": settings.TX_HEIGHT_M,
    "--k-factor": settings.K_FACTOR,
    "--frequency": settings.FREQUENCY_MHZ,
    "--eirp": settings.EIRP_DBM,
    "--radius": settings.RADIUS_M,
}


def _visible_options() -> dict[str, dict[str, click.Option]]:
    """Every visible option by its name, then by command."""
    found: dict[str, dict[str, click.Option]] = defaultdict(dict)
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                found[param.opts[0]][name] = param
    return found


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command: str) -> None:
    out = _run(command, "--help")
    assert out.startswith(f"Usage: main {command}") and "--help" in out


def test_an_option_shared_by_commands_has_one_name_and_one_default() -> None:
    shared = {name: by for name, by in _visible_options().items() if len(by) > 1}
    assert {"--dem", "--rx-height", "--radius", "--height", "--frequency", "--out"} <= set(shared)
    for option, by_command in shared.items():
        params = {c: p for c, p in by_command.items() if (c, option) not in SCENARIO_OWN}
        assert len({p.name for p in params.values()}) == 1, option
        assert len({repr(p.default) for p in params.values()}) == 1, (option, params)
        if option in SETTINGS_DEFAULTS:
            assert all(p.default == SETTINGS_DEFAULTS[option] for p in params.values()), option


def test_every_settings_default_is_an_option_default() -> None:
    by_name = _visible_options()
    for option, value in SETTINGS_DEFAULTS.items():
        defaults = {
            p.default for c, p in by_name[option].items() if (c, option) not in SCENARIO_OWN
        }
        assert defaults == {value}, option
    assert "--target-height" not in by_name  # one name for the receiver height


def test_cli_literals_are_the_librarys() -> None:
    assert set(options.MODELS) == set(MODELS)
    assert (
        _visible_options()["--model"]["coverage"].default
        == inspect.signature(predict).parameters["model"].default
    )
    assert (
        inspect.signature(analyse).parameters["min_gap_area_km2"].default
        == options.MIN_GAP_AREA_KM2
    )
    low, high = options.ITM_FREQUENCY_MHZ
    for frequency in (low, high):
        ItmEnvironment().checked_link(h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=frequency)
    for frequency in (low * 0.99, high * 1.01):
        with pytest.raises(ModelRangeError, match="frequency_mhz"):
            ItmEnvironment().checked_link(h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=frequency)


def test_demo_radius_is_the_scenarios() -> None:
    radius = laocai_demo().radius_m
    assert _visible_options()["--radius"]["demo"].default is None
    assert f"the scenario's own, {radius / 1000:g} km" in _run("demo", "--help")


# ------------------------------------------------------- errors: one line, exit code


def _site(scenario: dict) -> str:
    return f"{scenario['lon'][0]:.6f},{scenario['lat'][0]:.6f}"


BAD_VALUES = [
    ("viewshed", "--radius", "0"),
    ("viewshed", "--radius", "-1"),
    ("viewshed", "--radius", "nan"),
    ("viewshed", "--radius", "inf"),
    ("viewshed", "--height", "-5"),
    ("viewshed", "--height", "nan"),
    ("viewshed", "--rx-height", "-1"),
    ("viewshed", "--k-factor", "0"),
    ("viewshed", "--resolution", "0.5"),
    ("viewshed", "--site", "22.5,103.5"),
    ("viewshed", "--site", "103.5"),
    ("viewshed", "--target-height", "1.5"),
    ("predict", "--frequency", "0"),
    ("predict", "--frequency", "nan"),
    ("predict", "--eirp", "nan"),
    ("predict", "--eirp", "500"),
    ("itm-loss", "--frequency", "10"),
    ("itm-loss", "--frequency", "30000"),
]


def _failure(*args: object) -> click.testing.Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return result


@pytest.mark.parametrize(("command", "option", "value"), BAD_VALUES)
def test_a_bad_value_is_one_line_and_exit_2(
    small_scenario: dict, tmp_path: Path, command: str, option: str, value: str
) -> None:
    args = [command, "--dem", small_scenario["dem"], "--out", tmp_path / "x.tif"]
    if option != "--site":
        args += ["--site", _site(small_scenario)]
    result = _failure(*args, option, value)
    assert result.exit_code == 2 and option in result.stderr
    assert not (tmp_path / "x.tif").exists()


@pytest.mark.parametrize(
    ("threshold", "says"),
    [
        ("LTE=-80", "unknown technology 'LTE'; use one of 2G, 3G, 4G, 5G"),
        ("7G=-90", "unknown technology '7G'"),
        ("4G=nan", "not a finite number"),
        ("4G=-1000", "not in the range"),
        ("4G=5", "not in the range"),
        ("4G", "expected TECH=DBM"),
    ],
)
def test_a_bad_threshold_is_refused(
    small_scenario: dict, tmp_path: Path, threshold: str, says: str
) -> None:
    result = _failure(
        "coverage", "--towers", small_scenario["towers"], "--dem", small_scenario["dem"],
        "--threshold", threshold, "--out", tmp_path / "cov",
    )  # fmt: skip
    assert result.exit_code == 2 and says in result.stderr


def test_itm_frequency_is_checked_for_the_model(small_scenario: dict, tmp_path: Path) -> None:
    result = _failure(
        "predict", "--dem", small_scenario["dem"], "--site", _site(small_scenario),
        "--model", "itm", "--frequency", "10", "--out", tmp_path / "x.tif",
    )  # fmt: skip
    low, high = options.SITE_RANGES["frequency_mhz"]
    assert options.ITM_FREQUENCY_MHZ[0] <= low and high <= options.ITM_FREQUENCY_MHZ[1]
    assert result.exit_code == 2 and f"{low}<=x<={high}" in result.stderr


def test_out_naming_a_folder_or_an_unwritable_place(small_scenario: dict, tmp_path: Path) -> None:
    args = ["viewshed", "--dem", small_scenario["dem"], "--site", _site(small_scenario)]
    assert "is a directory" in _failure(*args, "--out", tmp_path).stderr
    if os.geteuid() != 0:
        read_only = tmp_path / "read-only"
        read_only.mkdir()
        read_only.chmod(0o500)
    elif Path("/proc/self").is_dir():
        read_only = Path("/proc")  # not even root creates files there
    else:
        pytest.skip("no folder this user cannot write")
    assert "cannot write in" in _failure(*args, "--out", read_only / "x.tif").stderr


def test_an_unreadable_dem_is_one_line(small_scenario: dict, tmp_path: Path) -> None:
    fake = tmp_path / "dem.tif"
    fake.write_text("not a raster")
    result = _failure(
        "viewshed", "--dem", fake, "--site", _site(small_scenario), "--out", tmp_path / "x.tif"
    )
    assert "cannot be read as a raster" in result.stderr


def test_errors_map_to_exit_codes_and_plain_numbers(tmp_path: Path) -> None:
    def reported(exc: Exception, ctx: click.Context | None = None) -> click.ClickException:
        with pytest.raises(click.ClickException) as caught, reporting.reported_errors(ctx):
            raise exc
        return caught.value

    site = reported(TerrainError("site 7 at x=np.float64(1.5) is outside the terrain"))
    assert site.exit_code == 2 and site.format_message() == "site 7 at x=1.5 is outside the terrain"
    assert reported(ValueError("radius_m must be positive")).exit_code == 2
    try:
        (tmp_path / "missing" / "x.tif").read_bytes()
    except OSError as exc:
        missing = reported(exc)
    assert missing.exit_code == 1
    assert (
        missing.format_message() == f"No such file or directory: {tmp_path / 'missing' / 'x.tif'}"
    )
    (tmp_path / "text.tif").write_text("text")
    try:
        rasterio.open(tmp_path / "text.tif")
    except rasterio.errors.RasterioIOError as exc:
        assert reported(exc).exit_code == 1
    bug = reported(KeyError("layer"))
    assert bug.exit_code == 1 and "unexpected KeyError" in bug.format_message()
    verbose = click.Context(main)
    verbose.meta[reporting.VERBOSE] = 1
    with pytest.raises(KeyError), reporting.reported_errors(verbose):  # -v: the bug's traceback
        raise KeyError("layer")


def _phusong(*args: object) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("phusong")
    program = "from coverage.cli import main; main(prog_name='phusong')"
    command = [str(script)] if script.exists() else [sys.executable, "-c", program]
    return subprocess.run(
        [*command, *(str(a) for a in args)], capture_output=True, text=True, timeout=300
    )


def test_the_program_exits_with_one_line(small_scenario: dict, tmp_path: Path) -> None:
    bad = _phusong("viewshed", "--dem", small_scenario["dem"], "--site", "103.5,22.5",
                   "--radius", "0", "--out", tmp_path / "x.tif")  # fmt: skip
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith(
        "Error: Invalid value for '--radius'"
    )
    outside = _phusong("predict", "--dem", small_scenario["dem"], "--site", "105.9,21.0",
                       "--out", tmp_path / "x.tif")  # fmt: skip
    assert outside.returncode == 2 and "Traceback" not in outside.stderr
    assert outside.stderr.startswith("Error: 1 point(s) outside the terrain")
    assert outside.stderr.count("\n") == 1
    verbose = _phusong("-v", "predict", "--dem", small_scenario["dem"], "--site", "105.9,21.0",
                       "--out", tmp_path / "x.tif")  # fmt: skip
    assert verbose.returncode == 2 and "Traceback" in verbose.stderr


# ---------------------------------------------------------------- thin commands


def test_viewshed_command_is_viewshed_bands(small_scenario: dict, tmp_path: Path) -> None:
    out = tmp_path / "vs.tif"
    _run("viewshed", "--dem", small_scenario["dem"], "--sites", small_scenario["towers"],
         "--site", _site(small_scenario), "--rx-height", 2, "--radius", 1500, "--out", out)  # fmt: skip
    from coverage.io.towers import read_towers

    sites = site_frame(
        [[small_scenario["lon"][0], small_scenario["lat"][0]]],
        towers=read_towers(small_scenario["towers"]),
    )
    expected = viewshed_bands(
        open_terrain(small_scenario["dem"]), sites, rx_height_m=2.0, radius_m=1500.0
    )
    with rasterio.open(out) as src:
        assert src.count == 4 and src.descriptions[1:] == ("S0", "S1", "S2")
        np.testing.assert_array_equal(src.read(), expected.to_array())


def test_viewshed_of_points_imports_no_frame_library(small_scenario: dict, tmp_path: Path) -> None:
    """A --site viewshed starts without geopandas, pandas, shapely, folium or openpyxl."""
    out = tmp_path / "vs.tif"
    args = ["viewshed", "--dem", str(small_scenario["dem"]), "--site", _site(small_scenario),
            "--radius", "1500", "--out", str(out)]  # fmt: skip
    script = (
        "import sys\n"
        "from coverage.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ('geopandas', 'pandas', 'shapely', 'pyogrio', 'folium', 'openpyxl', 'dask')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]" and out.exists()
    # the --sites path still reads a tower list (and does import geopandas for it)
    frame_out = tmp_path / "frame.tif"
    _run("viewshed", "--dem", small_scenario["dem"], "--sites", small_scenario["towers"],
         "--radius", 1500, "--out", frame_out)  # fmt: skip
    assert frame_out.exists()


def test_calibrate_then_accuracy_with_the_calibration_and_a_wrong_model(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    lon, lat = 103.9 + rng.uniform(-0.03, 0.03, 300), 22.5 + rng.uniform(-0.03, 0.03, 300)
    d_km = np.hypot((lon - 103.9) * 102.8, (lat - 22.5) * 110.6)
    loss = 128 + 35 * np.log10(d_km) + rng.normal(0, 3, 300)
    drive = tmp_path / "drive.csv"
    drive.write_text(
        "lat,lon,site_id,loss_db\n"
        + "".join(f"{a},{b},A,{c}\n" for a, b, c in zip(lat, lon, loss, strict=True))
    )
    towers = tmp_path / "towers.csv"
    towers.write_text(
        "site_id,operator,lon,lat,technology,frequency_mhz,eirp_dbm,antenna_height_m,"
        "beamwidth_deg,tilt_deg\nA,Viettel,103.9,22.5,4G,1800,60,30,360,0\n"
    )
    runner = CliRunner()
    common = ["--measurements", str(drive), "--towers", str(towers)]
    out = runner.invoke(
        main, ["calibrate", *common, "--model", "hata", "--out", str(tmp_path / "c.json")]
    )
    assert out.exit_code == 0, out.output
    assert "flat at the measured elevations" in out.output and "RMSE before" in out.output
    out = runner.invoke(main, ["accuracy", *common, "--model", "hata", "--calibration",
                               str(tmp_path / "c.json"), "--out", str(tmp_path / "p.csv")])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert (tmp_path / "p.csv").exists() and (tmp_path / "p.png").stat().st_size > 1000
    out = runner.invoke(main, ["accuracy", *common, "--model", "fspl", "--calibration",
                               str(tmp_path / "c.json"), "--out", str(tmp_path / "q.csv")])  # fmt: skip
    assert out.exit_code != 0
    assert "c.json calibrates the 'hata' model" in out.output
    assert not (tmp_path / "q.csv").exists()


def test_site_options_take_the_tower_lists_ranges() -> None:
    from coverage.io.tower_fields import VALID_RANGES

    for field, span in options.SITE_RANGES.items():
        assert VALID_RANGES[field] == span, field
    for option, value in (("--frequency", "100000"), ("--eirp", "500"), ("--height", "1e6")):
        result = CliRunner().invoke(main, ["predict", "--dem", ".", "--site", "0,0", option, value])
        assert result.exit_code == 2 and option in result.output, result.output


def _gaps_args(scenario: dict, out: Path, *extra: str) -> list[str]:
    files = ["--communes", scenario["communes"], "--towers", scenario["towers"]]
    return [str(a) for a in ["gaps", *files, "--dem", scenario["dem"], *extra, "--out", out]]


def test_gaps_refuses_a_commune_of_interest_that_matches_none(
    small_scenario: dict, tmp_path: Path
) -> None:
    out = tmp_path / "gaps.csv"
    args = _gaps_args(small_scenario, out, "--communes-of-interest", "Nowhere")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "'Nowhere'" in result.output
    assert not out.exists()


def test_population_raster_and_column_together_are_refused(
    small_scenario: dict, tmp_path: Path
) -> None:
    out = tmp_path / "gaps.csv"
    both = ["--population", small_scenario["dem"], "--population-column", "dan_so"]
    result = CliRunner().invoke(main, _gaps_args(small_scenario, out, *both))
    assert result.exit_code == 2 and "give one" in result.output
    assert not out.exists()


def test_plan_writes_a_proposal_list_that_is_a_tower_list(
    small_scenario: dict, tmp_path: Path
) -> None:
    """`phusong plan` end to end on the small scenario, drive-test calibration included."""
    from coverage.calibration import Calibration, CalibrationTerms
    from coverage.io.towers import read_towers

    calibration = tmp_path / "calibration.json"
    term = CalibrationTerms("Viettel", "unknown", 1.0, 0.1, 0.0, 0.1, 100, 9.0, 8.0, 8.5)
    Calibration("diffraction", (term,), 9.0, 8.5, {"k": 5}).save(calibration)
    out = tmp_path / "plan.csv"
    _run(
        "plan", "--communes", small_scenario["communes"], "--towers", small_scenario["towers"],
        "--dem", small_scenario["dem"], "--population-column", "dan_so", "--radius", "3000",
        "--operator", "Viettel", "--new-sites", "2", "--calibration", calibration, "--out", out,
    )  # fmt: skip
    proposals = read_towers(out)
    assert 1 <= len(proposals) <= 2
    assert set(proposals["operator"]) == {"Viettel"}


def test_phusong_warnings_are_one_log_line_each(small_scenario: dict, tmp_path: Path) -> None:
    """A CoverageWarning prints as `WARNING coverage: message`, without the code behind it."""
    result = CliRunner().invoke(
        main,
        ["gaps", "--communes", str(small_scenario["communes"]), "--towers",
         str(small_scenario["towers"]), "--dem", str(small_scenario["dem"]),
         "--population-column", "dan_so", "--radius", "3000", "--out", str(tmp_path / "g.csv")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if line.startswith("WARNING")]
    assert any("the cruder method" in line for line in warned)
    assert all(line.startswith("WARNING coverage: ") for line in warned)
    assert "py.warnings" not in result.output and ".py:" not in result.output


def _calibration_file(path: Path, offset_db: float, model: str = "diffraction") -> Path:
    from coverage.calibration import Calibration, CalibrationTerms

    term = CalibrationTerms("unknown", "unknown", offset_db, 0.1, 0.0, 0.1, 100, 9.0, 8.0, 8.5)
    Calibration(model, (term,), 9.0, 8.5, {"k": 5}).save(path)
    return path


def test_predict_applies_a_calibration_to_each_band(small_scenario: dict, tmp_path: Path) -> None:
    import rasterio

    common = ["predict", "--dem", small_scenario["dem"], "--site", "103.919,22.702",
              "--site", "103.929,22.712", "--radius", "2000"]  # fmt: skip
    _run(*common, "--out", tmp_path / "plain.tif")
    calibration = _calibration_file(tmp_path / "c.json", 4.0)
    _run(*common, "--calibration", calibration, "--out", tmp_path / "calibrated.tif")
    with (
        rasterio.open(tmp_path / "plain.tif") as a,
        rasterio.open(tmp_path / "calibrated.tif") as b,
    ):
        plain, calibrated = a.read(), b.read()
    inside = np.isfinite(plain)
    assert inside.sum() > 1000
    np.testing.assert_allclose(plain[inside] - calibrated[inside], 4.0, atol=1e-4)


def test_gap_lists_and_the_map_name_the_calibration(small_scenario: dict, tmp_path: Path) -> None:
    import pandas as pd

    calibration = _calibration_file(tmp_path / "drive.json", 2.0)
    common = ["--communes", small_scenario["communes"], "--towers", small_scenario["towers"],
              "--dem", small_scenario["dem"], "--population-column", "dan_so", "--radius", "3000",
              "--calibration", calibration]  # fmt: skip
    _run("gaps", *common, "--out", tmp_path / "gaps.csv")
    gaps = pd.read_csv(tmp_path / "gaps.csv")
    assert gaps["calibration"].str.startswith("drive.json: diffraction").all()
    _run("map", *common, "--out", tmp_path / "map.html")
    assert "Calibration: drive.json: diffraction" in (tmp_path / "map.html").read_text("utf-8")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_an_error_raised_while_ctrl_c_unwinds_is_reported_as_the_interrupt(
    small_scenario: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """A Ctrl-C inside CPython's Condition.wait (waiting for a worker thread) can make the
    lock's release fail on the way out: still the interrupt, one line, exit code 130."""
    import coverage.io.terrain

    def interrupted(*args: object, **kwargs: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("cannot release un-acquired lock") from None

    monkeypatch.setattr(coverage.io.terrain, "open_terrain", interrupted)
    out = tmp_path / "vs.tif"
    site = f"{small_scenario['lon'][0]:.6f},{small_scenario['lat'][0]:.6f}"
    result = CliRunner().invoke(
        main,
        ["viewshed", "--dem", str(small_scenario["dem"]), "--site", site, "--out", str(out),
         "--lang", lang],
    )  # fmt: skip
    expected = {"en": "interrupted (Ctrl-C)", "vi": "đã dừng (Ctrl-C)"}[lang]
    assert result.exit_code == 130, result.output
    assert expected in result.output and "RuntimeError" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
