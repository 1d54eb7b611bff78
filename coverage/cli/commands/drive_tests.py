"""Drive-test commands: `accuracy` (the model's error) and `calibrate` (fit its terms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coverage.cli.commands.group import main
from coverage.cli.commands.jobs import (
    _calibration,
    _terrain_around,
)
from coverage.cli.options import (
    CALIBRATION,
    MEASUREMENTS,
    MODEL,
    OVERWRITE,
    POSITIVE_DISTANCE,
    input_file_option,
    lang_option,
    number_option,
    out_option,
    with_options,
)
from coverage.cli.reporting import say
from coverage.cli.wording import PathType, option


def _drive_inputs(
    measurements_path: Path, towers_path: Path | None, dem: tuple[Path, ...]
) -> tuple[Any, Any, Any]:
    """Measurements, towers (the file's own bts_* sites without --towers) and terrain."""
    import geopandas as gpd
    import pandas as pd

    from coverage.io.measurements import measurement_sites, read_measurements
    from coverage.io.towers import read_towers

    points = read_measurements(measurements_path)
    towers = read_towers(towers_path) if towers_path else measurement_sites(points)
    terrain = None
    if dem:
        both = gpd.GeoDataFrame(
            geometry=pd.concat([points.geometry.to_crs(4326), towers.geometry.to_crs(4326)]),
            crs=4326,
        )
        terrain = _terrain_around(dem, both, 1000.0, None)
    else:
        click.echo(say("cli.flat_ground"))
    return points, towers, terrain


DRIVE_TOWERS = input_file_option(
    "--towers",
    "towers_path",
    help_id="cli.help_drive_towers",
)
DRIVE_DEM = option(
    "--dem",
    multiple=True,
    type=PathType(exists=True, path_type=Path),
    help_id="cli.help_drive_dem",
)
ISOTROPIC_LOSS = option(
    "--isotropic-loss",
    is_flag=True,
    help_id="cli.help_isotropic_loss",
)
COMPARE = option(
    "--compare",
    is_flag=True,
    help_id="cli.help_compare",
)


@main.command(name="accuracy", help_id="cli.help_command_accuracy")
@with_options(MEASUREMENTS, DRIVE_TOWERS, DRIVE_DEM, MODEL, COMPARE, CALIBRATION, ISOTROPIC_LOSS)
@lang_option()
@out_option("cli.help_accuracy_out")
@OVERWRITE
def accuracy_command(
    measurements_path: Path,
    towers_path: Path | None,
    dem: tuple[Path, ...],
    model: str,
    compare: bool,
    calibration: Path | None,
    isotropic_loss: bool,
    out: Path,
    overwrite: bool,
) -> None:
    """The model's error against drive-test measurements: error table and model ranking."""
    from coverage.io.files import check_output
    from coverage.measured_error import accuracy

    check_output(out, overwrite=overwrite)
    plot = out.with_suffix(".png")
    check_output(plot, overwrite=overwrite)
    points, towers, terrain = _drive_inputs(measurements_path, towers_path, dem)
    models = ("fspl", "hata", "diffraction", "itm") if compare else (model,)
    report = accuracy(points, towers, terrain, models=models, calibration=_calibration(calibration),
                      antenna_pattern=not isotropic_loss)  # fmt: skip
    click.echo(report.ranking().to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    click.echo(report.table().to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    report.to_csv(out, overwrite=overwrite)
    report.plot(plot, overwrite=overwrite)
    click.echo(str(out))
    click.echo(str(plot))


@main.command(help_id="cli.help_command_calibrate")
@with_options(MEASUREMENTS, DRIVE_TOWERS, DRIVE_DEM, MODEL, ISOTROPIC_LOSS)
@number_option(
    "--block", POSITIVE_DISTANCE, "M", 1000.0,
    "cli.help_calibrate_block",
)  # fmt: skip
@lang_option()
@out_option("cli.help_calibrate_out")
@OVERWRITE
def calibrate(
    measurements_path: Path,
    towers_path: Path | None,
    dem: tuple[Path, ...],
    model: str,
    isotropic_loss: bool,
    block: float,
    out: Path,
    overwrite: bool,
) -> None:
    """Fit offset and distance slope per operator and technology; blocked cross-validation."""
    from coverage.calibration import calibrate as fit, summary_lines
    from coverage.io.files import check_output

    check_output(out, overwrite=overwrite)
    points, towers, terrain = _drive_inputs(measurements_path, towers_path, dem)
    result = fit(points, towers, terrain, model=model, block_m=block,
                 antenna_pattern=not isotropic_loss)  # fmt: skip
    for line in summary_lines(result):
        click.echo(line)
    result.save(out, overwrite=overwrite)
